// Preloaded with `node -r` before a program: react-native resolves to ./react-native.js and
// @react-native-async-storage/async-storage to the package's own jest mock (./async-storage.js) (jest.fn is the
// identity); require() is global, as Metro has it. The device's storage is RN_STORAGE (a JSON file): read at start, written at exit,
// so a later run starts where an earlier one left off, as an app does after an update. Apps
// never exit, so the run ends after RN_RUN_MS; AMPLITUDE_SERVER_URL points Amplitude's init
// at the capture server (what a person sets as serverUrl in a test build).
const Module = require('module')
const fs = require('fs')
const path = require('path')

global.jest = { fn: (impl) => impl || (() => undefined) }
// Metro gives every module a global require(); so does this, for the programs' ES modules
global.require = require
const mockPath = require.resolve('@react-native-async-storage/async-storage/jest/async-storage-mock')
const resolve = Module._resolveFilename
Module._resolveFilename = function (request, ...rest) {
  if (request === 'react-native') return path.join(__dirname, 'react-native.js')
  if (request === '@react-native-async-storage/async-storage') return path.join(__dirname, 'async-storage.js')
  return resolve.call(this, request, ...rest)
}

const storage = require(mockPath)
const file = process.env.RN_STORAGE
if (file && fs.existsSync(file)) Object.assign(storage.__INTERNAL_MOCK_STORAGE__, JSON.parse(fs.readFileSync(file, 'utf8')))
process.on('exit', () => {
  if (file) fs.writeFileSync(file, JSON.stringify(storage.__INTERNAL_MOCK_STORAGE__))
})

if (process.env.AMPLITUDE_SERVER_URL) {
  const amplitude = require('@amplitude/analytics-react-native')
  const init = amplitude.init
  amplitude.init = (key, userId, options) =>
    init(key, userId, { ...options, serverUrl: process.env.AMPLITUDE_SERVER_URL, flushIntervalMillis: 200 })
}
setTimeout(() => process.exit(0), Number(process.env.RN_RUN_MS || 3000))
