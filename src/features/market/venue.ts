/**
 * One trading venue's top of book for a symbol. Used by the AI-arbitrage scan. Prices are in the venue's quote units (this
 * project's simulated venues use integer minor units, like PriceFeed).
 */
export interface VenueQuoteSource {
  venue: string;
  feeBps: number;
  quote(symbol: string): Promise<{ bid: number; ask: number; at: Date }>;
}
