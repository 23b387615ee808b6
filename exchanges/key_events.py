"""The audit trail of exchange keys: who added, replaced, tested, decrypted or deleted one."""

from exchanges.models import ExchangeKey, ExchangeKeyEvent, KeyEventKind


def key_event_record(key: ExchangeKey, kind: KeyEventKind, actor: str) -> None:
    ExchangeKeyEvent.objects.create(
        user_id=key.user_id,
        key=None if kind == KeyEventKind.DELETED else key,
        key_label=key.label,
        kind=kind,
        actor=actor,
    )
