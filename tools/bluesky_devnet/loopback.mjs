// Preload: `node --import ./loopback.mjs start.mjs`.
// Keeps the whole Bluesky dev network on loopback:
//  * every TCP listener binds to 127.0.0.1 (whatever host the code asked for),
//    every UDP socket binds to 127.0.0.1;
//  * every outgoing TCP connection / UDP datagram must target a loopback
//    address or `localhost` (refused synchronously otherwise);
//  * dns.lookup answers only loopback names; every other DNS query (resolve*,
//    reverse, Resolver instances, dns/promises) is refused without sending
//    anything, and the default DNS servers point at 127.0.0.1 as a last guard.
// Refusals are reported once per host on stderr ("[loopback] refused ...");
// set DEVNET_LOOPBACK_QUIET=1 to silence them.
import dgram from 'node:dgram'
import dns from 'node:dns'
import dnsPromises from 'node:dns/promises'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'

const BIND = '127.0.0.1'
const quiet = process.env.DEVNET_LOOPBACK_QUIET === '1'
const reported = new Set()
const report = (what, host) => {
  const key = `${what} ${host}`
  if (quiet || reported.has(key)) return
  reported.add(key)
  process.stderr.write(`[loopback] refused ${what}: ${host}\n`)
}

const isLoopbackAddress = (host) => {
  if (net.isIPv4(host)) return host.startsWith('127.')
  if (net.isIPv6(host)) {
    const h = host.toLowerCase()
    return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h)
  }
  return false
}
const isLoopbackName = (host) => {
  if (host === undefined || host === null || host === '') return true // Node's default is localhost
  const h = String(host).toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1')
  return h === 'localhost' || h.endsWith('.localhost') || isLoopbackAddress(h)
}
const refusal = (message, code) => Object.assign(new Error(message), { code })

// --- listeners ---------------------------------------------------------------
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  const first = args[0]
  const callback = typeof args[args.length - 1] === 'function' ? args[args.length - 1] : undefined
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    // options object; a unix socket path, handle or fd is left alone
    if (first.path !== undefined || first.handle !== undefined || first._handle !== undefined || first.fd !== undefined) {
      return listen.apply(this, args)
    }
    const { ipv6Only, ...options } = first
    return listen.call(this, { ...options, host: BIND }, ...(callback ? [callback] : []))
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return listen.apply(this, args) // unix socket path
  // listen([port][, host][, backlog][, callback])
  const port = first === undefined || first === null || typeof first === 'function' ? 0 : Number(first)
  const rest = args.slice(typeof first === 'function' ? 0 : 1).filter((a) => typeof a !== 'function')
  const backlog = rest.find((a) => typeof a === 'number')
  const options = { port, host: BIND }
  if (backlog !== undefined) options.backlog = backlog
  return listen.call(this, options, ...(callback ? [callback] : []))
}

// --- outgoing TCP ------------------------------------------------------------
const connect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (...args) {
  // net.connect() passes a normalized [options, callback] array
  let options = Array.isArray(args[0]) ? args[0][0] : args[0]
  if (typeof options === 'number' || (typeof options === 'string' && /^\d+$/.test(options))) {
    options = { port: options, host: typeof args[1] === 'string' ? args[1] : undefined }
  } else if (typeof options === 'string') {
    options = { path: options }
  }
  options = options || {}
  if (options.path === undefined && !isLoopbackName(options.host)) {
    report('connection', options.host)
    throw refusal(`non-loopback connection refused: ${options.host}`, 'ECONNREFUSED')
  }
  return connect.apply(this, args)
}

// --- UDP -----------------------------------------------------------------------
const bind = dgram.Socket.prototype.bind
dgram.Socket.prototype.bind = function (...args) {
  if (args[0] !== null && typeof args[0] === 'object') {
    return bind.call(this, { ...args[0], address: BIND }, ...args.slice(1).filter((a) => typeof a === 'function'))
  }
  const port = typeof args[0] === 'number' ? args[0] : 0
  const callback = args.find((a) => typeof a === 'function')
  return bind.call(this, port, BIND, ...(callback ? [callback] : []))
}
const send = dgram.Socket.prototype.send
dgram.Socket.prototype.send = function (...args) {
  const address = args.find((a, i) => i > 0 && typeof a === 'string')
  if (address !== undefined && !isLoopbackName(address)) {
    report('datagram', address)
    throw refusal(`non-loopback datagram refused: ${address}`, 'ECONNREFUSED')
  }
  return send.apply(this, args)
}

// --- DNS -----------------------------------------------------------------------
const lookup = dns.lookup
dns.lookup = function (hostname, options, callback) {
  if (typeof options === 'function') { callback = options; options = {} }
  if (!isLoopbackName(hostname)) {
    report('lookup', hostname)
    return process.nextTick(() => callback(refusal(`non-loopback lookup refused: ${hostname}`, 'ENOTFOUND')))
  }
  return lookup.call(dns, hostname, options, callback)
}
const lookupPromise = dnsPromises.lookup
dnsPromises.lookup = async function (hostname, options) {
  if (!isLoopbackName(hostname)) {
    report('lookup', hostname)
    throw refusal(`non-loopback lookup refused: ${hostname}`, 'ENOTFOUND')
  }
  return lookupPromise.call(dnsPromises, hostname, options)
}

const QUERIES = ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname', 'resolveMx',
  'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTlsa', 'resolveTxt', 'reverse']
const refuseCallback = (name) => function (hostname, ...rest) {
  const callback = rest.find((a) => typeof a === 'function')
  report(`dns ${name}`, hostname)
  const error = refusal(`DNS query refused on the loopback dev network: ${name} ${hostname}`, 'ENOTFOUND')
  if (callback) process.nextTick(() => callback(error))
  else throw error
}
const refusePromise = (name) => async function (hostname) {
  report(`dns ${name}`, hostname)
  throw refusal(`DNS query refused on the loopback dev network: ${name} ${hostname}`, 'ENOTFOUND')
}
for (const name of QUERIES) {
  if (typeof dns[name] === 'function') dns[name] = refuseCallback(name)
  if (typeof dns.Resolver.prototype[name] === 'function') dns.Resolver.prototype[name] = refuseCallback(name)
  if (typeof dnsPromises[name] === 'function') dnsPromises[name] = refusePromise(name)
  if (typeof dnsPromises.Resolver.prototype[name] === 'function') dnsPromises.Resolver.prototype[name] = refusePromise(name)
}
try { dns.setServers([BIND]) } catch { /* no resolver configured: nothing to redirect */ }

// `import { lookup } from 'node:dns'` in ESM modules must see the wrappers too.
syncBuiltinESMExports()
