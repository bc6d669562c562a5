// @react-native-async-storage/async-storage as the package's own jest mock, shaped as the ES
// module the package is (its default export is AsyncStorage: `require(…).default`).
const mock = require('@react-native-async-storage/async-storage/jest/async-storage-mock')
module.exports = { __esModule: true, default: mock, ...mock }
