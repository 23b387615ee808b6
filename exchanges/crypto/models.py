"""The stored form of users' data keys (the crypto package's only model).

It lives here, not in exchanges/models.py, so that the code wrapping and unwrapping data keys
imports it at module level while exchanges/models.py imports the encrypted field: one
direction, no cycle. Its app is still "exchanges" (Django reads the package it sits in).
"""

from django.conf import settings
from django.db import models


class DataKey(models.Model):
    """A user's data key, stored only wrapped (AES-GCM) by a key-encryption key.

    Deleting a user deletes their data keys, and with them every value they encrypted,
    backups included: crypto-shredding.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_keys"
    )
    version = models.PositiveIntegerField()
    kek_id = models.CharField(max_length=32)
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="one_data_key_per_version"),
        ]

    def __str__(self) -> str:
        return f"data key {self.version} of user {self.user_id} (under {self.kek_id})"
