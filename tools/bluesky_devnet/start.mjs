// Start a real Bluesky network (PLC, PDS, AppView + bsync, Ozone) from
// @atproto/dev-env on free loopback ports. Run with the preload:
//     node --import ./loopback.mjs start.mjs
// stdout carries exactly ONE line, when ready:
//     {"pds_url": "http://localhost:<port>", "bsky_url": ..., "plc_url": ..., "ozone_url": ...}
// Everything else (dev-env's logs) goes to stderr. Stops (network.close(), then
// drops its PostgreSQL schemas) when stdin closes, or on SIGTERM / SIGINT.
// Env: DB_POSTGRES_URL, DB_POSTGRES_SCHEMA (required), REDIS_HOST (asserted by
// dev-env, never connected to), TMPDIR (the PDS's SQLite data),
// DEVNET_RATE_LIMITS=1 (the PDS's real rate limiter), DEVNET_KEEP_SCHEMAS=1.
import net from 'node:net'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

// dev-env prints to stdout (console.log): keep stdout for the ready line only.
const writeStdout = process.stdout.write.bind(process.stdout)
for (const level of ['log', 'info', 'debug']) console[level] = console.error

const fail = (message, error) => {
  process.stderr.write(`bluesky devnet: ${message}${error ? `\n${error.stack || error}` : ''}\n`)
  process.exit(1)
}
const dbUrl = process.env.DB_POSTGRES_URL
const schema = process.env.DB_POSTGRES_SCHEMA
if (!dbUrl) fail('DB_POSTGRES_URL is not set')
if (!schema || !/^[a-z_][a-z0-9_]*$/.test(schema)) fail(`DB_POSTGRES_SCHEMA must be a lowercase identifier, got ${schema}`)
process.env.REDIS_HOST ||= '127.0.0.1:6379'

const freePort = () => new Promise((resolve, reject) => {
  const server = net.createServer()
  server.once('error', reject)
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address()
    server.close(() => resolve(port))
  })
})

const { TestNetwork } = await import('@atproto/dev-env')
let network
try {
  const [pdsPort, bskyPort, plcPort, ozonePort] = [await freePort(), await freePort(), await freePort(), await freePort()]
  network = await TestNetwork.create({
    dbPostgresUrl: dbUrl,
    dbPostgresSchema: schema,
    pds: { port: pdsPort, hostname: 'localhost', rateLimitsEnabled: process.env.DEVNET_RATE_LIMITS === '1' },
    bsky: { port: bskyPort, publicUrl: `http://localhost:${bskyPort}` },
    plc: { port: plcPort },
    ozone: { port: ozonePort },
  })
} catch (error) {
  fail('TestNetwork.create failed', error)
}

writeStdout(JSON.stringify({
  pds_url: network.pds.url,
  bsky_url: network.bsky.url,
  plc_url: network.plc.url,
  ozone_url: network.ozone?.url ?? null,
}) + '\n')

// dev-env names its schemas after DB_POSTGRES_SCHEMA: drop them when done.
const dropSchemas = async () => {
  if (process.env.DEVNET_KEEP_SCHEMAS === '1') return
  const here = fileURLToPath(new URL('.', import.meta.url))
  let pg
  try {
    pg = createRequire(`${here}node_modules/@atproto/bsky/package.json`)('pg')
  } catch {
    return
  }
  const client = new pg.Client({ connectionString: dbUrl })
  try {
    await client.connect()
    for (const name of [schema, `appview_${schema}`, `bsync_${schema}`, `ozone_${schema}`]) {
      await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`)
    }
  } catch (error) {
    process.stderr.write(`bluesky devnet: could not drop schemas of ${schema}: ${error.message}\n`)
  } finally {
    await client.end().catch(() => {})
  }
}

let closing = false
const stop = async () => {
  if (closing) return
  closing = true
  const timer = setTimeout(() => fail('network.close() took over 20 s'), 20000)
  timer.unref()
  try {
    await network.close()
  } catch (error) {
    process.stderr.write(`bluesky devnet: close failed: ${error.stack || error}\n`)
  }
  await dropSchemas()
  process.exit(0)
}
process.stdin.on('end', stop)
process.stdin.on('close', stop)
process.stdin.on('error', stop)
process.stdin.resume()
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
process.on('SIGHUP', stop)
