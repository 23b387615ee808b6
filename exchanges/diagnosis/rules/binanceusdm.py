"""Binance USDⓈ-M Futures' documented API errors (guide: guides/content/binance-usdm).

One Binance key reaches Spot and USDⓈ-M, and both APIs answer a key, a signature, a clock or a
location they refuse with the same codes and messages (the USDⓈ-M error-code list repeats
-1021, -1022, -2014 and -2015): the Spot table holds them.
"""

from exchanges.diagnosis.rules.binance import IP_ANCHOR, RULES

__all__ = ["IP_ANCHOR", "RULES"]
