"""Every write of the strategies app, one module per concern:

catalog, mine               the catalog's loading, users' own strategies and their versions
candles, candle_imports     the shared candle store's fills, users' imported candles
backtests (+ backtest_*)    backtests: checks at the start, the long task, the stored report
start_checks                what backtests and runs refuse the same way before starting
runs, live_start            paper runs started, stopped, flattened; a paper run gone live
run_ticks, run_records      the minute schedule, one tick per run and bar, what a tick writes
live_ticks, live_state      a live run's tick (its paper twin decides, the broker acts)
live_upkeep                 work between bars: flatten, cancel until confirmed, reconcile
run_end, run_events         a run's end (status, notice and cancel duty in one commit), how
run_messages                its events are worded (strategies.notices records them)
run_history                 the owner's runs and backtests listed
"""
