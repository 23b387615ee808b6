"""What live trading relies on, exchange by exchange: the one table the live broker reads a
venue's behaviour from, and what the go-live gate, a running live run's tick, the public
exchanges page and the guides trust.

A venue (a ccxt id, and its spot or derivatives markets) trades live only once it is here,
verified: its sandbox dialect answers as the exchange documents it, and the live tests pass
against it (client ids, lost answers, reconciliation, partial fills, resting stops, fees as
charged). Everything else trades on paper only. Adding a venue is adding a row, after its
dialect and its tests.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class VenueTrading:
    """One venue's live-trading facts, as the broker relies on them."""

    ccxt_id: str
    spot_live: bool  # its spot markets are verified for live runs
    derivatives_live: bool  # its futures or perpetual markets are
    client_id: str  # the client order id: ccxt's parameter, and the format we send
    status_kept_s: int | None  # how long its status endpoint answers for an ended order
    finds_by_client_id: bool  # its status endpoint answers for our client order id
    cancelled_apart: bool  # closed orders leave out cancelled ones (and cancelled stops)
    triggers_apart: bool  # stops and targets live in a book of their own (conditional orders)
    fee_from_ledger: bool  # a fill's fee is read from the account ledger, not the fill
    funding_from: str  # where a perpetual's funding is booked: "ledger", "income" or ""
    fee_tier_readable: bool  # the account's own taker fee can be read with the key
    stop_rests: bool  # a stop-market order rests at the exchange (the protective stop)
    target_rests_on_derivatives: bool  # a reduce-only take-profit rests beside the stop
    oco: bool  # a stop and a target can rest as one order (one cancels the other)
    reduce_only: bool  # closing orders can be reduce-only (derivatives)
    position_mode: str  # how positions are held on derivatives
    position_mode_readable: bool  # the key can read it: a run refuses an account in hedge mode
    rate_rule: str  # what limits the calls a key makes

    def trades_live(self, *, derivative: bool) -> bool:
        return self.derivatives_live if derivative else self.spot_live


VENUES = {
    venue.ccxt_id: venue
    for venue in (
        VenueTrading(
            ccxt_id="kraken",
            spot_live=True,
            derivatives_live=False,
            client_id="clientOrderId: a UUID (cl_ord_id, 36 characters)",
            status_kept_s=None,  # QueryOrders answers for closed orders too
            finds_by_client_id=False,  # found among the open and closed orders
            cancelled_apart=False,
            triggers_apart=False,
            fee_from_ledger=False,  # the order says its fee
            funding_from="",
            fee_tier_readable=True,  # TradeVolume
            stop_rests=True,
            target_rests_on_derivatives=False,
            oco=False,  # no OCO: the target is left to the paper twin
            reduce_only=False,
            position_mode="spot: balances, no positions",
            position_mode_readable=False,
            rate_rule="a call counter per key that decays each second (15 at the entry tier)",
        ),
        VenueTrading(
            ccxt_id="krakenfutures",
            spot_live=False,
            derivatives_live=True,
            client_id="clientOrderId: a UUID (cliOrdId, 36 characters)",
            status_kept_s=5,  # /orders/status, then the order and trigger histories
            finds_by_client_id=False,
            cancelled_apart=True,
            triggers_apart=False,
            fee_from_ledger=True,  # fills carry no fee: the account log has it
            funding_from="ledger",  # "funding rate change" rows of the account log
            fee_tier_readable=True,  # fee schedules and the account's volumes
            stop_rests=True,
            target_rests_on_derivatives=True,
            oco=False,
            reduce_only=True,
            position_mode="one-way (a signed position per contract)",
            position_mode_readable=False,  # one-way is the only mode
            rate_rule="a cost budget per key, replenished every 10 seconds",
        ),
        VenueTrading(
            ccxt_id="binance",
            spot_live=True,
            derivatives_live=False,
            client_id="newClientOrderId: a UUID (Binance allows 1-36 of A-Z a-z 0-9 . : / _ -)",
            # GET /api/v3/order answers for ended orders too; a cancelled or expired one that
            # filled nothing is archived after 90 days (-2026).
            status_kept_s=None,
            finds_by_client_id=True,  # origClientOrderId
            cancelled_apart=False,
            triggers_apart=False,
            # Each fill (myTrades) says its commission and the asset it was taken in: the
            # coins bought, the quote on a sale, or BNB (converted, and stated).
            fee_from_ledger=False,
            funding_from="",
            fee_tier_readable=True,  # /sapi/v1/asset/tradeFee
            stop_rests=True,  # STOP_LOSS
            target_rests_on_derivatives=False,
            oco=True,  # stop (STOP_LOSS) and target (TAKE_PROFIT) as one order list
            reduce_only=False,
            position_mode="spot: balances, no positions",
            position_mode_readable=False,
            rate_rule="request weight per IP: 6000 a minute; over it HTTP 429, then 418 bans",
        ),
        VenueTrading(
            ccxt_id="binanceusdm",
            spot_live=False,
            derivatives_live=True,
            client_id="newClientOrderId (clientAlgoId for a stop or a target): a UUID",
            # A cancelled or expired order that filled nothing is not found 3 days after it was
            # made; any order, 90 days after.
            status_kept_s=3 * 86400,
            finds_by_client_id=True,  # origClientOrderId, clientAlgoId
            cancelled_apart=False,
            # Stops and targets are conditional orders of the Algo Order API (since December
            # 2025): looked up and cancelled there; once triggered, the market order they sent
            # (actualOrderId) holds the fills.
            triggers_apart=True,
            fee_from_ledger=False,  # userTrades' commission, in USDT
            funding_from="income",  # FUNDING_FEE rows of /fapi/v1/income
            fee_tier_readable=True,  # /fapi/v1/commissionRate
            stop_rests=True,  # STOP_MARKET
            target_rests_on_derivatives=True,  # TAKE_PROFIT_MARKET
            oco=False,
            reduce_only=True,
            position_mode="one-way (an account in hedge mode is refused)",
            position_mode_readable=True,  # /fapi/v1/positionSide/dual
            rate_rule="request weight per IP: 2400 a minute; over it HTTP 429, then 418 bans",
        ),
    )
}

# What the broker assumes where a venue is not (or no longer) in the table: only what every
# ccxt venue does, and reduce-only closes (a close never opens the other way). Live ticks
# refuse such a venue; an ended run's cancel and reconciliation still use it.
UNVERIFIED = VenueTrading(
    ccxt_id="",
    spot_live=False,
    derivatives_live=False,
    client_id="clientOrderId",
    status_kept_s=None,
    finds_by_client_id=False,
    cancelled_apart=False,
    triggers_apart=False,
    fee_from_ledger=False,
    funding_from="",
    fee_tier_readable=False,
    stop_rests=False,
    target_rests_on_derivatives=False,
    oco=False,
    reduce_only=True,
    position_mode="unknown",
    position_mode_readable=False,
    rate_rule="ccxt's default rate limit",
)

SPOT, DERIVATIVES = _("spot"), _("futures and perpetuals")


def venue_of(ccxt_id: str) -> VenueTrading | None:
    return VENUES.get(ccxt_id)


def trades_live(ccxt_id: str, *, derivative: bool) -> bool:
    """Whether live runs may trade the venue's spot (or derivatives) markets."""
    venue = VENUES.get(ccxt_id)
    return venue is not None and venue.trades_live(derivative=derivative)


def live_markets() -> list[tuple[str, bool]]:
    """(ccxt id, derivative) of every kind of market that trades live, in the table's order."""
    return [
        (venue.ccxt_id, derivative)
        for venue in VENUES.values()
        for derivative in (False, True)
        if venue.trades_live(derivative=derivative)
    ]
