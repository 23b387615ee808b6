"""Scale-in (DCA) in the document: the safety orders a position rests once its base order
filled (the fill model's point 11), and the numbers they give: where each rests, what each
costs, and what every one of them filled commits."""

from pydantic import Field

from strategies.rules.limits import MAX_SAFETY_ORDERS, MAX_SCALE
from strategies.rules.model import Fraction, Model


class SafetyOrders(Model):
    """Scale-in (DCA): after the base order fills, `count` limit orders rest below a long's
    first fill (above a short's), the first `deviation_pct` away, each next gap `step_scale`
    times the one before; the first costs `size_ratio` times the base order's budget, each
    next `volume_scale` times the one before (the fill model's point 11)."""

    count: int = Field(ge=1, le=MAX_SAFETY_ORDERS)
    deviation_pct: Fraction
    step_scale: float = Field(default=1.0, gt=0, le=MAX_SCALE)
    size_ratio: float = Field(default=1.0, gt=0, le=MAX_SCALE)
    volume_scale: float = Field(default=1.0, gt=0, le=MAX_SCALE)

    def deviations(self) -> list[float]:
        """Each safety order's distance from the first fill, as a share of its price."""
        gaps = [self.deviation_pct * self.step_scale**i for i in range(self.count)]
        return [sum(gaps[: i + 1]) for i in range(self.count)]

    def ratios(self) -> list[float]:
        """Each safety order's budget as a multiple of the base order's."""
        return [self.size_ratio * self.volume_scale**i for i in range(self.count)]

    def worst_case_multiple(self) -> float:
        """The base order and every safety order filled, in base orders' budgets."""
        return 1.0 + sum(self.ratios())
