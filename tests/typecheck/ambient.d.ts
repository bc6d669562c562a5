// Other vendors the must-not-change fixtures import; their types do not matter here.
declare module 'mixpanel-browser';
declare module 'react-tracking';
declare module '@segment/consent-manager';
