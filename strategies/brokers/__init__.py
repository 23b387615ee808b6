"""Brokers: what turns a run's decisions into orders. `paper` applies the backtest's fill model
to the run's closed bars (a paper run's whole account, and a live run's twin); `live` sends a
live run's orders to the exchange through a client exchanges.clients built, under its key's
lock (`live_session`), and reads back their fills and the account."""
