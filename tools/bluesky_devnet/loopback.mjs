// Preload (node --import ./loopback.mjs): every listener binds to 127.0.0.1 and
// every outgoing connection or lookup must stay on loopback.
import dns from 'node:dns'
import net from 'node:net'

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1'])
const isLoopback = (host) => !host || LOOPBACK.has(host) || /^127\./.test(host) || host.endsWith('.test')

const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'object' && args[0] !== null && !Array.isArray(args[0])) {
    if (args[0].path === undefined) args[0] = { ...args[0], host: '127.0.0.1' }
  } else if (typeof args[0] === 'number' || typeof args[0] === 'string' && /^\d+$/.test(args[0])) {
    const port = args[0]
    const rest = args.slice(1).filter((a) => typeof a === 'function' || typeof a === 'number')
    return listen.call(this, Number(port), '127.0.0.1', ...rest.filter((a) => typeof a === 'function'))
  }
  return listen.apply(this, args)
}

const lookup = dns.lookup
dns.lookup = function (hostname, options, callback) {
  if (typeof options === 'function') { callback = options; options = {} }
  if (!isLoopback(hostname)) {
    const error = new Error(`non-loopback lookup refused: ${hostname}`)
    error.code = 'ENOTFOUND'
    return process.nextTick(() => callback(error))
  }
  const name = hostname.endsWith('.test') ? 'localhost' : hostname
  return lookup.call(dns, name, options, callback)
}

const connect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (...args) {
  const options = typeof args[0] === 'object' && args[0] !== null ? args[0] : { host: args[1] }
  if (options.path === undefined && !isLoopback(options.host)) {
    throw new Error(`non-loopback connection refused: ${options.host}`)
  }
  return connect.apply(this, args)
}
