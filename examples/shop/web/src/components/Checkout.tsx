import { useEffect } from 'react'
import { analytics } from '../lib/analytics'
import { formatPrice } from './format'

interface Cart { id: string; total: number; items: { sku: string; qty: number }[] }

export function Checkout({ cart, orgId }: { cart: Cart; orgId: string }) {
  useEffect(() => {
    analytics.page('Shop', 'Checkout', { cartId: cart.id })
  }, [cart.id])

  async function pay() {
    // Wait for the event before leaving the page.
    await analytics.track('Order Completed', { orderId: cart.id, total: cart.total }, { messageId: `order-${cart.id}` })
    analytics.group(orgId, { plan: 'business' })
    window.location.assign('/thanks')
  }

  return (
    <section>
      <p>Total: {formatPrice(cart.total)}</p>
      <button onClick={pay}>Pay</button>
      <button onClick={() => analytics.reset()}>Not you?</button>
    </section>
  )
}
