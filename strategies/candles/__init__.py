"""The shared candle store (strategies.models.candles): read and write closed bars, know which
ranges are held, and fill the rest from the exchange (fetch) or its trade history (backfill)."""
