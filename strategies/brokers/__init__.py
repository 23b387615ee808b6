"""Brokers: what turns a run's decisions into orders. Paper applies the backtest's fill model
to the run's closed bars; live (next) sends them to the exchange through exchanges.clients."""
