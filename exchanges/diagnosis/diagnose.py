from collections.abc import Set as AbstractSet

import ccxt

from exchanges.diagnosis.errors import TRANSIENT_ERRORS, error_body, raw_codes
from exchanges.diagnosis.rules import rules_for
from exchanges.diagnosis.verdicts import Diagnosis, Verdict

# When no rule knows the code, ccxt's exception class is the next best witness.
_BY_CLASS: list[tuple[type[Exception], Verdict]] = [
    (ccxt.InvalidNonce, Verdict.NONCE_CLASH),
    (ccxt.AccountSuspended, Verdict.AMBIGUOUS),
    (ccxt.PermissionDenied, Verdict.MISSING_PERMISSION),
    (ccxt.AuthenticationError, Verdict.WRONG_CREDENTIALS),
    (TRANSIENT_ERRORS, Verdict.UNAVAILABLE),  # type: ignore[list-item]
]


def diagnose_error(ccxt_id: str, error: Exception) -> Diagnosis:
    """Turn a failed call into a verdict, reading the exchange's own error codes first."""
    codes = raw_codes(ccxt_id, error_body(ccxt_id, error))
    for rule in rules_for(ccxt_id):
        for code in codes:
            if rule.matches(code):
                return Diagnosis(
                    verdict=rule.verdict,
                    raw_code=code,
                    anchor=rule.anchor,
                    checklist=rule.checklist,
                )
    raw = codes[0] if codes else type(error).__name__
    for error_class, verdict in _BY_CLASS:
        if isinstance(error, error_class):
            return Diagnosis(verdict=verdict, raw_code=raw)
    return Diagnosis(verdict=Verdict.UNKNOWN, raw_code=raw)


def diagnose_permissions(
    *,
    granted: set[str],
    required: set[str],
    forbidden: set[str],
    discouraged: AbstractSet[str] = frozenset(),
    currencies: tuple[str, ...] = (),
) -> Diagnosis:
    """Compare a key's permissions with what Noon Barbari needs: read + trade, no withdraw;
    the ones it never needs are named, without refusing the key."""
    seen = tuple(sorted(granted))
    if refused := tuple(sorted(granted & forbidden)):
        return Diagnosis(
            verdict=Verdict.WITHDRAW_ENABLED, refused_permissions=refused, permissions_seen=seen
        )
    extra = tuple(sorted(granted & discouraged))
    missing = tuple(sorted(required - granted))
    if missing:
        return Diagnosis(
            verdict=Verdict.MISSING_PERMISSION,
            missing_permissions=missing,
            discouraged_permissions=extra,
            permissions_seen=seen,
        )
    return Diagnosis(
        verdict=Verdict.OK,
        currencies=currencies,
        permissions_seen=seen,
        discouraged_permissions=extra,
    )
