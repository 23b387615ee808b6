"""The one place that builds ccxt exchange instances."""

import functools

import ccxt


class UnknownExchange(ValueError):
    pass


@functools.cache
def required_credentials(ccxt_id: str) -> tuple[str, ...]:
    """The credentials an API key for this exchange consists of, per ccxt (no network)."""
    exchange_class = getattr(ccxt, ccxt_id, None)
    if ccxt_id not in ccxt.exchanges or exchange_class is None:
        raise UnknownExchange(f"ccxt has no exchange {ccxt_id!r}")
    required = exchange_class().requiredCredentials
    return tuple(name for name, needed in required.items() if needed)
