"""The columns a backtest and a run keep the engine's fill model and market rules in, and the
one mapping between them (a backtest freezes them at its request, a run at its start, a live
run copies its paper twin's)."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from strategies.engine import FillModel, Market
from strategies.engine.enums import Labelled
from strategies.engine.fills.model import TIE_STOP_FIRST, TIE_TARGET_FIRST


class TieRule(models.TextChoices):
    STOP_FIRST = TIE_STOP_FIRST, _("Stop first (conservative)")
    TARGET_FIRST = TIE_TARGET_FIRST, _("Take-profit first (optimistic)")


def vocabulary_field(
    vocabulary: type[Labelled], verbose_name: str | None = None, *, default: str | None = None
) -> models.CharField:
    """A column holding one value of an engine vocabulary (strategies.engine.enums): its
    choices and its length come from the vocabulary, so no value can outgrow it."""
    choices = [(member.value, member.label) for member in vocabulary]
    longest = vocabulary.longest()
    if default is None:
        return models.CharField(verbose_name, max_length=longest, choices=choices)
    return models.CharField(verbose_name, max_length=longest, choices=choices, default=default)


class FillModelColumns(models.Model):
    """The fill model's parameters (strategies.engine.FillModel), as its columns."""

    fee = models.FloatField(_("taker fee"))  # a fraction, both legs
    slippage_bps = models.FloatField(_("slippage (basis points)"))
    max_volume_share = models.FloatField(_("share of a bar's volume"))  # a fraction
    tie = models.CharField(_("tie rule"), max_length=12, choices=TieRule.choices)
    # Where the fee came from when the user left it empty: {"kind": "key", "label": the key's
    # label, "read_at": ISO time} (the account's own tier, read with its key), {"kind":
    # "entry"} (the exchange's public entry tier); {} when the user typed it.
    fee_source = models.JSONField(default=dict, blank=True)

    FILL_MODEL_FIELDS = ("fee", "slippage_bps", "max_volume_share", "tie")

    class Meta:
        abstract = True

    def fill_model(self) -> FillModel:
        return FillModel(**{name: getattr(self, name) for name in self.FILL_MODEL_FIELDS})

    @classmethod
    def fill_model_columns(cls, model: FillModel) -> dict[str, Any]:
        return {name: getattr(model, name) for name in cls.FILL_MODEL_FIELDS}

    @property
    def fee_percent(self) -> float:
        return self.fee * 100

    @property
    def volume_share_percent(self) -> float:
        return self.max_volume_share * 100


class MarketColumns(models.Model):
    """The market's rules (strategies.engine.Market), as its columns: ccxt's amount step
    (None: any amount), the minimum amount and cost of an order, whether it can short,
    whether it is a perpetual (funding)."""

    amount_step = models.FloatField(null=True, blank=True)
    min_amount = models.FloatField(default=0.0)
    min_cost = models.FloatField(default=0.0)
    allows_shorts = models.BooleanField(_("the market allows selling short"), default=False)
    perpetual = models.BooleanField(
        _("a perpetual: positions pay or receive funding"), default=False
    )

    MARKET_FIELDS = ("amount_step", "min_amount", "min_cost", "allows_shorts", "perpetual")

    class Meta:
        abstract = True

    def market_rules(self) -> Market:
        return Market(**{name: getattr(self, name) for name in self.MARKET_FIELDS})

    @classmethod
    def market_columns(cls, market: Market) -> dict[str, Any]:
        return {name: getattr(market, name) for name in cls.MARKET_FIELDS}
