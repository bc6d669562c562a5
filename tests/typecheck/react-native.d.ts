// What the React Native fixtures use of react-native itself, and Metro's global require().
// The SDKs under test ship their own types; react-native's are not installed (its package is a
// whole toolchain), so the components the fixtures render are declared here.
declare module 'react-native' {
  import type { ComponentType, ReactNode } from 'react'
  export const View: ComponentType<{ children?: ReactNode }>
  export const Text: ComponentType<{ children?: ReactNode }>
  export const Button: ComponentType<{ title: string; onPress?: () => void }>
  export const TouchableOpacity: ComponentType<{ children?: ReactNode; onPress?: () => void }>
  export type AppStateStatus = 'active' | 'background' | 'inactive' | 'unknown' | 'extension'
}
declare module '@rudderstack/rudder-sdk-react-native'
declare module 'mixpanel-react-native'
declare function require(id: string): any
