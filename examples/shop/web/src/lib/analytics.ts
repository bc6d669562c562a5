import { AnalyticsBrowser } from '@segment/analytics-next'

// One Segment client for the whole shop.
export const analytics = AnalyticsBrowser.load(
  { writeKey: import.meta.env.VITE_SEGMENT_WRITE_KEY },
  { initialPageview: false },
)

export function identifyCustomer(customer: { id: string; email: string; plan?: string }) {
  analytics.identify(customer.id, {
    email: customer.email,
    plan: customer.plan ?? 'free',
  })
}
