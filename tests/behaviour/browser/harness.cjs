'use strict'
/*
 * Runs ONE browser program under jsdom in this Node process, with the real SDK installed in
 * ./node_modules, and prints one JSON line (prefixed "@@RESULT ") on stdout when done.
 *
 *   node harness.cjs SPEC.json
 *
 * SPEC = {
 *   side: "segment" | "amplitude",
 *   entry: "/abs/path/app.mjs" (an ES module, imported) | "/abs/path/page.html" (loaded by jsdom,
 *          its scripts run),
 *   url, referrer, title, head, body: the page the program runs in,
 *   capture: "http://127.0.0.1:PORT"   the capture server (Segment settings CDN + tracking API, or
 *                                      Amplitude's HTTP V2 API at /2/httpapi),
 *   localStorage: {k: v}, cookies: ["k=v", ...]   what an earlier visit left behind,
 *   flushIntervalMillis: number | null,
 *   settleMs: number                   quiet time (no request in flight or started) that ends the run
 * }
 *
 * Test-only mechanisms (none changes the program text):
 *  - globals: window, document, navigator, localStorage, ... of the jsdom window are installed on
 *    globalThis before the program is imported, so the SDKs' CJS builds run unchanged in Node.
 *  - fetch: one guarded fetch (window.fetch and globalThis.fetch) lets requests to 127.0.0.1 through,
 *    sends https://cdn.segment.com/... (the snippet loader's CDN) to the capture server, and refuses
 *    every other host (recorded in "blocked"): nothing leaves the machine.
 *  - Segment: AnalyticsBrowser.prototype.load gets `cdnURL: <capture>` merged into its settings
 *    when the program gave none; the settings the capture server returns point the Segment.io
 *    destination at <capture>/v1 over http.
 *  - Amplitude: AmplitudeBrowser.prototype._init (which init() of createInstance() clients and of
 *    the default instance both call with the merged options) — of the npm package, and of the
 *    script bundle Amplitude's loader snippet fetches from cdn.amplitude.com (served from
 *    node_modules/.../lib/scripts/amplitude-min.js; hooked when the bundle assigns
 *    window.amplitude, before it replays the calls the snippet queued) — gets
 *    {serverUrl: <capture>/2/httpapi, flushIntervalMillis, fetchRemoteConfig: false,
 *     enableDiagnostics: false} merged over the program's options; every other option
 *    (autocapture, minIdLength, ...) is the program's own. At the end every initialised client is
 *    flushed, so a run never waits for the SDK's own timer.
 */
const fs = require('fs')
const path = require('path')
const { JSDOM, ResourceLoader, VirtualConsole } = require('jsdom')

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
const HERE = __dirname
const started = Date.now()
const result = { reports: {}, blocked: [], errors: [], console: [], requests: 0 }

// --- network guard ---------------------------------------------------------------------------
const nodeFetch = globalThis.fetch
let inflight = 0
let lastActivity = Date.now()
function routed(url) {
  const u = new URL(String(url))
  if (u.hostname === '127.0.0.1') return u.href
  if (u.hostname === 'cdn.segment.com') return spec.capture + u.pathname + u.search
  return null
}
function guardedFetch(input, init) {
  const url = typeof input === 'string' || input instanceof URL ? String(input) : input.url
  const target = routed(url)
  if (target === null) {
    result.blocked.push(url)
    return Promise.reject(new TypeError('segamp behaviour harness: network access to ' + url + ' refused'))
  }
  inflight++
  result.requests++
  lastActivity = Date.now()
  const opts = Object.assign({}, init)
  delete opts.keepalive // undici rejects keepalive bodies > 64 KiB; it changes nothing here
  return nodeFetch(target, opts).finally(() => { inflight--; lastActivity = Date.now() })
}

// --- the page ---------------------------------------------------------------------------------
class LocalResources extends ResourceLoader {
  fetch(url, options) {
    const u = new URL(url)
    if (u.hostname === 'cdn.segment.com' && /\/analytics\.js\/v1\/[^/]+\/analytics(\.min)?\.js$/.test(u.pathname)) {
      return Promise.resolve(fs.readFileSync(path.join(HERE, 'node_modules/@segment/analytics-next/dist/umd/standalone.js')))
    }
    if (u.hostname === 'cdn.segment.com' && u.pathname.startsWith('/analytics-next/bundles/')) {
      return Promise.resolve(fs.readFileSync(path.join(HERE, 'node_modules/@segment/analytics-next/dist/umd', path.basename(u.pathname))))
    }
    if (u.hostname === 'cdn.amplitude.com' && /analytics-browser-[\d.]+-min\.js(\.gz)?$/.test(u.pathname)) {
      return Promise.resolve(fs.readFileSync(path.join(HERE, 'node_modules/@amplitude/analytics-browser/lib/scripts/amplitude-min.js')))
    }
    if (u.hostname === '127.0.0.1') return super.fetch(url, options)
    result.blocked.push(url)
    return null
  }
}

const isHtml = spec.entry.endsWith('.html')
const virtualConsole = new VirtualConsole()
virtualConsole.on('jsdomError', (e) => result.errors.push('jsdom: ' + (e && e.stack || e)))
for (const level of ['error', 'warn']) {
  virtualConsole.on(level, (...args) => result.console.push(level + ': ' + args.map(String).join(' ')))
}
const html = isHtml
  ? fs.readFileSync(spec.entry, 'utf8')
  : `<!doctype html><html><head><title>${spec.title || ''}</title>${spec.head || ''}</head><body>${spec.body || ''}</body></html>`
const dom = new JSDOM(html, {
  url: spec.url,
  referrer: spec.referrer || undefined,
  pretendToBeVisual: true,
  virtualConsole,
  runScripts: isHtml || /<script/i.test(spec.head || '') ? 'dangerously' : undefined,
  resources: isHtml || /<script/i.test(spec.head || '') ? new LocalResources() : undefined,
  beforeParse(window) {
    window.fetch = guardedFetch
    if (spec.side === 'amplitude') trapAmplitudeGlobal(window)
    window.__report = report
    for (const [k, v] of Object.entries(spec.localStorage || {})) window.localStorage.setItem(k, v)
    for (const c of spec.cookies || []) dom_cookie(window, c)
  },
})
function dom_cookie(window, c) { window.document.cookie = c }
function report(key, value) { result.reports[key] = value }
const window = dom.window

// globals: everything the jsdom window has that Node's global does not
globalThis.fetch = guardedFetch
for (const key of Object.getOwnPropertyNames(window)) {
  if (key in globalThis) continue
  try {
    Object.defineProperty(globalThis, key, { configurable: true, get: () => window[key] })
  } catch (e) { /* non-configurable */ }
}
for (const key of ['window', 'self', 'top', 'parent', 'document', 'navigator', 'location', 'history',
  'localStorage', 'sessionStorage', 'screen', 'innerWidth', 'innerHeight']) {
  Object.defineProperty(globalThis, key, { configurable: true, get: () => (key === 'window' || key === 'self' ? window : window[key]) })
}
process.on('unhandledRejection', (e) => result.errors.push('unhandledRejection: ' + (e && e.stack || e)))

// --- SDK hooks ----------------------------------------------------------------------------------
const clients = new Set()
function hookAmplitude(AmplitudeBrowser) {
  const _init = AmplitudeBrowser.prototype._init
  if (_init.__harness) return
  AmplitudeBrowser.prototype._init = function (options) {
    clients.add(this)
    const injected = { serverUrl: spec.capture + '/2/httpapi', fetchRemoteConfig: false, enableDiagnostics: false }
    if (spec.flushIntervalMillis != null) injected.flushIntervalMillis = spec.flushIntervalMillis
    return _init.call(this, Object.assign({}, options, injected))
  }
  AmplitudeBrowser.prototype._init.__harness = true
}
// The script bundle ends with `window.amplitude = Object.assign(window.amplitude || {}, sdk)` and
// then replays the snippet's queue: an accessor sees that assignment first.
function trapAmplitudeGlobal(window) {
  let value
  Object.defineProperty(window, 'amplitude', {
    configurable: true,
    enumerable: true,
    get: () => value,
    set: (v) => {
      value = v
      if (v && v.AmplitudeBrowser) hookAmplitude(v.AmplitudeBrowser)
    },
  })
}
if (spec.side === 'segment') {
  const { AnalyticsBrowser } = require(path.join(HERE, 'node_modules/@segment/analytics-next'))
  const load = AnalyticsBrowser.prototype.load
  AnalyticsBrowser.prototype.load = function (settings, options) {
    const merged = Object.assign({}, settings)
    if (!merged.cdnURL) merged.cdnURL = spec.capture
    const loaded = load.call(this, merged, options)
    clients.add(loaded)
    return loaded
  }
} else {
  hookAmplitude(require(path.join(HERE, 'node_modules/@amplitude/analytics-browser')).AmplitudeBrowser)
}

// --- run ------------------------------------------------------------------------------------------
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
async function settle(ms) {
  for (;;) {
    await sleep(25)
    if (inflight === 0 && Date.now() - lastActivity >= ms) return
    if (Date.now() - started > 25000) { result.errors.push('harness: network never settled'); return }
  }
}

async function main() {
  if (isHtml) {
    await new Promise((r) => (window.document.readyState === 'complete' ? r() : window.addEventListener('load', r)))
  } else {
    const { pathToFileURL } = require('url')
    await import(pathToFileURL(spec.entry).href)
  }
  // Segment: wait until every client has loaded its settings (AnalyticsBrowser is a thenable);
  // the snippet's global: until analytics.js replaced the stub
  if (spec.side === 'segment') {
    for (const c of clients) {
      try { await c } catch (e) { result.errors.push('segment load: ' + e) }
    }
    while (window.analytics && !window.analytics.initialized && Array.isArray(window.analytics) && Date.now() - started < 20000) await sleep(25)
  } else {
    // Amplitude's loader: until the SDK bundle replaced the snippet's queueing stub
    while (window.amplitude && window.amplitude.invoked && !window.amplitude.runQueuedFunctions && Date.now() - started < 20000) await sleep(25)
    if (window.amplitude && window.amplitude.invoked && !window.amplitude.runQueuedFunctions) result.errors.push('harness: the Amplitude SDK bundle never loaded')
  }
  lastActivity = Date.now()
  await settle(spec.settleMs || 300)
  for (const c of spec.side === 'amplitude' ? clients : []) {
    try { await c.flush().promise } catch (e) { result.errors.push('flush: ' + e) }
  }
  await settle(100)
  result.elapsedMs = Date.now() - started
}

let done = false
function finish() {
  if (done) return
  done = true
  process.stdout.write('@@RESULT ' + JSON.stringify(result) + '\n', () => process.exit(0))
}
// a program whose top-level await never settles would let Node exit silently: report it instead
process.on('beforeExit', () => { result.errors.push('harness: the program never finished (a promise it awaited never settled)'); finish() })
main().catch((e) => result.errors.push('program: ' + (e && e.stack || e))).finally(finish)
