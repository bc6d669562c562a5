// react-native as the SDKs' own jest setups mock it, for plain Node: no native module is linked
// but Segment's context module (AnalyticsReactNative.getContextInfo, as its test helpers mock
// it), one app state, no events from native code.
module.exports = {
  Platform: { OS: 'ios', Version: '17.0', select: (o) => (o.ios !== undefined ? o.ios : o.default) },
  AppState: { currentState: 'active', addEventListener: () => ({ remove() {} }) },
  NativeModules: {
    AnalyticsReactNative: {
      getContextInfo: async () => ({
        appName: 'Shop', appVersion: '1.0', buildNumber: '1', bundleId: 'com.example.shop', locale: 'en-US',
        networkType: 'wifi', osName: 'iOS', osVersion: '17.0', screenHeight: 800, screenWidth: 400, timezone: 'UTC',
        manufacturer: 'Apple', model: 'iPhone', deviceName: 'iPhone', deviceId: '', deviceType: 'ios', screenDensity: 2,
      }),
    },
  },
  NativeEventEmitter: class {
    addListener() { return { remove() {} } }
    removeAllListeners() {}
  },
}
