"""How much history a document needs before its first decision."""

from strategies.indicators import get as indicator_spec
from strategies.rules.document import Document
from strategies.series import timeframe_ms


def history_bars(document: Document, timeframe: str) -> int:
    """Closed bars of `timeframe` to load so that every indicator is past its warm-up (in its
    own timeframe) and a cross can compare with the bar before. Recursive indicators (EMA,
    Wilder smoothing) still depend on where history starts: a tick that must match a backtest
    loads the same start, not only this minimum."""
    base_ms = timeframe_ms(timeframe)
    needed = 0
    for declared in document.indicators.values():
        spec = indicator_spec(declared.kind)
        params = spec.with_defaults(declared.params)
        own_ms = timeframe_ms(declared.timeframe) if declared.timeframe else base_ms
        ratio = own_ms // base_ms
        bars = spec.warmup(params, own_ms) + 1
        # A higher bar is seen once closed, and the series may start inside one.
        needed = max(needed, bars * ratio + (ratio if ratio > 1 else 0))
    anchor = document.risk.stop_anchor
    if anchor is not None:  # the first decision's swing is whole
        needed = max(needed, anchor.bars_read() - 1)
    return needed + 1
