"""Key rotation: re-wrap data keys under the active KEK; re-encrypt one user's values."""

from collections.abc import Iterator

from django.apps import apps
from django.db import models, transaction

from exchanges.crypto import datakeys, keyring
from exchanges.crypto.fields import EncryptedTextField
from exchanges.crypto.models import DataKey


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Every model with encrypted fields, and those fields."""
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            yield model, fields


def rewrap_batch(*, batch_size: int) -> tuple[int, int]:
    """Re-wrap up to `batch_size` data keys not yet under the active KEK, in one transaction.

    Returns (re-wrapped, still to do). Each batch commits on its own: an interrupted run
    resumes where it stopped, and a finished one does nothing (idempotent).
    """
    pending = DataKey.objects.exclude(kek_id=keyring.active_key_id()).order_by("pk")
    with transaction.atomic():
        rows = list(pending.select_for_update()[:batch_size])
        done = sum(datakeys.rewrap(row) for row in rows)
    return done, pending.count()


@transaction.atomic
def rotate_user_data_key(*, user_id: int) -> int:
    """A new data key for the user: every value of theirs re-encrypted, the old keys deleted."""
    old_versions = list(DataKey.objects.filter(user_id=user_id).values_list("pk", flat=True))
    datakeys.create(user_id=user_id)
    rewritten = 0
    for model, fields in encrypted_fields():
        owner = fields[0].owner_field
        for row in model._default_manager.filter(**{f"{owner}_id": user_id}).select_for_update():
            for field in fields:
                secret = getattr(row, field.attname)
                if secret is not None:
                    setattr(row, field.attname, secret.reveal())
            row.save(update_fields=[field.attname for field in fields])
            rewritten += 1
    DataKey.objects.filter(pk__in=old_versions).delete()
    return rewritten
