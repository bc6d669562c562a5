// Other vendors the must-not-change fixtures import; their types do not matter here.
declare module 'mixpanel-browser';
declare module 'react-tracking';
declare module '@segment/consent-manager';
// Other vendors' Node clients the fixtures/node must-not-change cases use.
declare module '@rudderstack/rudder-sdk-node';
declare module 'mixpanel';
declare module '@june-so/analytics-node';
