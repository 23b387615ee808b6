"""A key's new credentials, waiting for their connection test (exchanges.replacements)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from exchanges.crypto.fields import EncryptedTextField


class ReplacementOutcome(models.TextChoices):
    PENDING = "pending", _("New secret, being tested")
    ADOPTED = "adopted", _("New secret, adopted")
    REFUSED = "refused", _("New secret, refused: previous one kept")
    DUPLICATE = "duplicate", _("New secret, refused: its API key is in another of your keys")


class KeyReplacement(models.Model):
    """New credentials for a key, kept encrypted while their connection test runs: they become
    the key's only if the exchange accepts them, and are wiped once the test has spoken."""

    # A random id, as for keys: bound into each ciphertext before the row exists.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.ForeignKey(
        "exchanges.ExchangeKey",
        on_delete=models.CASCADE,
        related_name="replacements",
        verbose_name=_("key"),
    )
    api_key = EncryptedTextField(_("API key"), null=True)
    secret = EncryptedTextField(_("secret"), null=True)
    passphrase = EncryptedTextField(_("passphrase"), null=True, blank=True)
    uid = EncryptedTextField(_("user ID (UID)"), null=True, blank=True)
    key_hint = models.CharField(_("key ends with"), max_length=8)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        choices=ReplacementOutcome.choices,
        default=ReplacementOutcome.PENDING,
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("secret replacement")
        verbose_name_plural = _("secret replacements")
        constraints = [
            # One new secret tested at a time: two would race to become the key's.
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(outcome="pending"),
                name="one_pending_replacement_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_id} (…{self.key_hint}): {self.outcome}"
