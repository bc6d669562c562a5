import mixpanel from 'mixpanel-browser'

// Mixpanel has Segment-shaped methods; segamp leaves it alone.
export function Newsletter() {
  return <button onClick={() => mixpanel.track('Newsletter Clicked')}>Subscribe</button>
}
