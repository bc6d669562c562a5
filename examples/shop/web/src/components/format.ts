// Not analytics code: segamp never parses this file.
export const formatPrice = (cents: number) => `$${(cents / 100).toFixed(2)}`
