// Start a real Bluesky network (PLC, PDS, AppView) on free loopback ports and
// print one JSON line with its URLs; stop when stdin closes or on SIGTERM.
import { TestNetwork } from '@atproto/dev-env'
import net from 'node:net'

const freePort = () => new Promise((resolve) => {
  const server = net.createServer()
  server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)) })
})

const [pdsPort, bskyPort, plcPort] = [await freePort(), await freePort(), await freePort()]
const network = await TestNetwork.create({
  dbPostgresSchema: process.env.DB_POSTGRES_SCHEMA,
  pds: { port: pdsPort, hostname: 'localhost', rateLimitsEnabled: process.env.DEVNET_RATE_LIMITS === '1' },
  bsky: { dbPostgresSchema: process.env.DB_POSTGRES_SCHEMA, port: bskyPort, publicUrl: `http://localhost:${bskyPort}` },
  plc: { port: plcPort },
})
process.stdout.write(JSON.stringify({
  pds_url: network.pds.url, bsky_url: network.bsky.url, plc_url: network.plc.url,
}) + '\n')

let closing = false
const stop = async () => {
  if (closing) return
  closing = true
  try { await network.close() } finally { process.exit(0) }
}
process.stdin.on('end', stop)
process.stdin.on('close', stop)
process.stdin.resume()
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
