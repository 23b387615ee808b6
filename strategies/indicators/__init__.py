"""The indicator library: one registry (parameters, outputs, warm-up, descriptions) and the
functions, TA-Lib where it has them, vectorised numpy for the rest.

Importing the package registers every indicator: each module below calls `register`.
"""

from strategies.indicators import averages
from strategies.indicators.registry import REGISTRY, IndicatorSpec, Param, get

__all__ = ["REGISTRY", "IndicatorSpec", "Param", "averages", "get"]
