"""What each exchange's API key must and must not allow, by the names its API reports, and
each permission's label on the exchange's own API-key page.

The connection test checks keys against this table; the key page, run gates and order
messages name permissions from it, so a user reads the same words everywhere, the words they
will find on the exchange.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Needs:
    """Permissions, by the names the exchange's API reports: what Noon Barbari needs, what it
    refuses, and each one's label on the exchange's API-key page (the words of our guides'
    [[permissions]] lists), for the user who has to tick or untick it."""

    required: frozenset[str]
    forbidden: frozenset[str]
    labels: Mapping[str, str] = field(default_factory=dict)
    # What the guide marks "never" but cannot take funds off the exchange (deposits, internal
    # transfers): the key passes, with a warning naming them.
    discouraged: frozenset[str] = frozenset()
    # The permission without which the key's own trade history reads as empty (or is
    # refused): fill backfills say so instead of showing nothing.
    trade_history: str | None = None


# The switches of a Binance key, as its API management page names them.
BINANCE_SWITCHES = {
    "enableMargin": "Enable Margin Loan, Repay & Transfer",
    "permitsUniversalTransfer": "Permits Universal Transfer",
    "enableReading": "Enable Reading",
    "enableSpotAndMarginTrading": "Enable Spot & Margin Trading",
    "enableFutures": "Enable Futures",
    "enableWithdrawals": "Enable Withdrawals",
}


def _binance_needs(trading: str) -> Needs:
    """One Binance key reaches Spot and USDⓈ-M: each needs reading and its own trading
    switch, and refuses withdrawals."""
    needed = {"enableReading", trading}
    discouraged = {"enableMargin", "permitsUniversalTransfer"}
    return Needs(
        required=frozenset(needed),
        forbidden=frozenset({"enableWithdrawals"}),
        discouraged=frozenset(discouraged),
        labels={
            name: label
            for name, label in BINANCE_SWITCHES.items()
            if name in needed | discouraged | {"enableWithdrawals"}
        },
    )


NEEDS: dict[str, Needs] = {
    # The names Kraken's GetApiKeyInfo returns.
    "kraken": Needs(
        required=frozenset(
            {
                "query-funds",
                "query-open-trades",
                "query-closed-trades",
                "modify-trades",
                "close-trades",
            }
        ),
        forbidden=frozenset({"withdraw-funds"}),
        discouraged=frozenset({"add-funds"}),
        trade_history="query-closed-trades",
        labels={
            "add-funds": "Deposit Funds",
            "query-funds": "Query Funds",
            "query-open-trades": "Query Open Orders & Trades",
            "query-closed-trades": "Query Closed Orders & Trades",
            "modify-trades": "Create & Modify Orders",
            "close-trades": "Cancel/Close Orders",
            "withdraw-funds": "Withdraw Funds",
        },
    ),
    # Kraken Futures keys have two levels: General (none, read-only, full) and Withdrawal.
    "krakenfutures": Needs(
        required=frozenset({"general-full"}),
        forbidden=frozenset({"withdrawal"}),
        labels={"general-full": "General API: Full Access", "withdrawal": "Withdrawal API"},
    ),
    # The booleans of apiRestrictions that are true.
    "binance": _binance_needs("enableSpotAndMarginTrading"),
    # The same key switches; USDⓈ-M needs Enable Futures instead of Spot trading.
    "binanceusdm": _binance_needs("enableFutures"),
    # The words of account/config's perm.
    "okx": Needs(
        required=frozenset({"read_only", "trade"}),
        forbidden=frozenset({"withdraw"}),
        labels={"read_only": "Read", "trade": "Trade", "withdraw": "Withdraw"},
    ),
    # "<group>:<permission>" from query-api's permissions, and "readOnly:0" for a Read-Write
    # key. Wallet transfers are not withdrawals: the guide says to leave them off, but they
    # cannot move funds off Bybit, so they do not refuse the key.
    "bybit": Needs(
        required=frozenset({"readOnly:0", "Spot:SpotTrade"}),
        forbidden=frozenset({"Wallet:Withdraw"}),
        discouraged=frozenset({"Wallet:AccountTransfer", "Wallet:SubMemberTransfer"}),
        labels={
            "Wallet:AccountTransfer": "Wallet: Account Transfer",
            "Wallet:SubMemberTransfer": "Wallet: Subaccount Transfer",
            "readOnly:0": "Read-Write",
            "Spot:SpotTrade": "SPOT: Trade",
            "Wallet:Withdraw": "Wallet: Withdrawal",
        },
    ),
    # The booleans of key_permissions that are true.
    "coinbase": Needs(
        required=frozenset({"can_view", "can_trade"}),
        forbidden=frozenset({"can_transfer"}),
        labels={"can_view": "View", "can_trade": "Trade", "can_transfer": "Transfer"},
    ),
    # The words of Get Apikey Info's permission. "Transfer" is what KuCoin's withdrawal endpoints
    # require (the page's "Withdrawal"); "InnerTransfer" only moves funds between the user's own
    # accounts, like Bybit's wallet transfers, so it does not refuse the key.
    "kucoin": Needs(
        required=frozenset({"General", "Spot"}),
        forbidden=frozenset({"Transfer"}),
        discouraged=frozenset({"Earn"}),
        labels={"General": "General", "Spot": "Spot", "Transfer": "Withdrawal", "Earn": "Earn"},
    ),
    # The codes of spot/account/info's authorities: "stow" is spot trade read-and-write, "wwow"
    # wallet withdrawal ("wtow", wallet transfer, stays inside Bitget).
    "bitget": Needs(
        required=frozenset({"stow"}),
        forbidden=frozenset({"wwow"}),
        discouraged=frozenset({"wtow"}),
        labels={"stow": "Spot: Read and write", "wwow": "Withdraw", "wtow": "Transfer"},
    ),
    # "<scope>:read" and "<scope>:write" from auth/r/permissions.
    "bitfinex": Needs(
        required=frozenset({"history:read", "orders:read", "orders:write", "wallets:read"}),
        forbidden=frozenset({"withdraw:write"}),
        labels={
            "history:read": "Account History: read",
            "orders:read": "Orders: read",
            "orders:write": "Orders: write",
            "wallets:read": "Wallets: read",
            "withdraw:write": "Withdrawals",
        },
    ),
    # Gate tells no key's permissions (TRADE_PROBES): only the right to trade spot is known.
    "gate": Needs(
        required=frozenset({"spot"}),
        forbidden=frozenset(),
        labels={"spot": "Spot: Read and Write"},
    ),
}


def tells_withdrawal(ccxt_id: str) -> bool:
    """Whether a connection test refuses a key of this exchange that can withdraw."""
    needs = NEEDS.get(ccxt_id)
    return bool(needs and needs.forbidden)


def label_for(ccxt_id: str, name: str) -> str:
    """The permission's label on the exchange's API-key page; "" when we know none."""
    needs = NEEDS.get(ccxt_id)
    return needs.labels.get(name, "") if needs else ""


@dataclass(frozen=True)
class NamedPermission:
    name: str  # as the exchange's API reports it ("query-funds")
    label: str  # as its API-key page shows it ("Query Funds"), "" when we know none

    @property
    def readable(self) -> str:
        """The label, or the reported name in words ("withdraw-funds" -> "Withdraw funds")."""
        if self.label:
            return self.label
        words = re.sub(r"(?<=[a-z])(?=[A-Z])|[-_:.]+", " ", self.name).split()
        return " ".join(words).capitalize()


def named(ccxt_id: str, names: Iterable[str]) -> list[NamedPermission]:
    return [NamedPermission(name, label_for(ccxt_id, name)) for name in names]


def discouraged(ccxt_id: str, granted: Iterable[str]) -> list[str]:
    """The granted permissions the guide says never to give, short of refusing the key."""
    needs = NEEDS.get(ccxt_id)
    return sorted(needs.discouraged.intersection(granted)) if needs else []


def refused(ccxt_id: str, granted: Iterable[str]) -> list[str]:
    """The granted permissions that make us refuse a key of this exchange (withdrawal)."""
    needs = NEEDS.get(ccxt_id)
    return sorted(needs.forbidden.intersection(granted)) if needs else []
