"""The strategy's indicators as a report's price chart draws them: each stored output a line,
named as the strategy's sentences name it ("EMA 20", "Bollinger bands (20, 2) upper band"),
over the candles or in the pane under them as the registry says."""

from strategies import rules
from strategies.indicators import get as indicator_spec
from strategies.models import Backtest
from strategies.rules.model import IndicatorSide
from strategies.rules.sentences import Wording


def indicator_lines(backtest: Backtest, drawn) -> list[dict]:
    """[{"label", "pane", "values"}] in the document's order, one value per price point
    (`drawn` rounds a value as the chart draws it); [] for a report stored without them or
    whose document no longer reads."""
    if not backtest.indicators:
        return []
    try:
        document = rules.parse(backtest.document, base_timeframe=backtest.timeframe)
    except rules.DocumentError:
        return []
    wording = Wording(document.indicators)
    lines = []
    for name, values in backtest.indicators.items():
        alias, output = name.split(".", 1)
        declared = document.indicators.get(alias)
        if declared is None or len(values) != len(backtest.prices):
            continue
        side = IndicatorSide(indicator=alias, field=output)
        # A level of the volume (highest or lowest of it) is no price: it goes under them.
        of_volume = declared.params.get("source") == "volume"
        lines.append(
            {
                "label": wording.indicator(side),
                "pane": output in indicator_spec(declared.kind).pane_outputs or of_volume,
                "values": [None if value is None else drawn(value) for value in values],
            }
        )
    return lines
