"""Where a user is told things: their email address, a linked Telegram chat, a Discord webhook,
a webhook of their own signed with HMAC-SHA256. Each channel says which events it carries."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from exchanges.crypto.fields import EncryptedTextField


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email")
    TELEGRAM = "telegram", _("Telegram")
    DISCORD = "discord", _("Discord")
    WEBHOOK = "webhook", _("Webhook")


class Channel(models.Model):
    """One of a user's channels, one of each kind. A Discord or webhook address can post to
    someone's server, and a webhook's signing secret proves it is us: both are encrypted."""

    # A random id: bound into each ciphertext before the row exists, and not guessable in URLs.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channels"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    # The events (notifications.events.Event values) this channel carries.
    events = models.JSONField(_("events"), default=list, blank=True)
    telegram_chat_id = models.BigIntegerField(_("Telegram chat"), null=True, blank=True)
    telegram_name = models.CharField(_("Telegram user"), max_length=80, blank=True)
    url = EncryptedTextField(_("address"), null=True, blank=True)
    # What the user sees of the address: its host, never its token.
    url_hint = models.CharField(_("address"), max_length=120, blank=True)
    signing_secret = EncryptedTextField(_("signing secret"), null=True, blank=True)
    # Set when the channel refuses for good (a blocked bot, a deleted webhook): sending stops
    # until the user links it again, and the page says why.
    broken_reason = models.CharField(_("stopped because"), max_length=200, blank=True)
    # The channel's own pace: the next message may leave at this time (notifications.pacing).
    next_send_at = models.DateTimeField(_("next message at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="channel_one_per_kind"),
            # One chat speaks for one account: its commands reach that account's runs only.
            models.UniqueConstraint(fields=["telegram_chat_id"], name="channel_telegram_chat"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.user_id})"

    def carries(self, event: str) -> bool:
        return event in self.events and not self.broken_reason


class TelegramLinkToken(models.Model):
    """A one-time token the user sends to the bot (`/start <token>`, what Telegram's deep link
    does) to link that chat; stored as a digest, valid for a few minutes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="telegram_link_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("Telegram link token")
        verbose_name_plural = _("Telegram link tokens")

    def __str__(self) -> str:
        return f"#{self.pk} ({self.user_id})"


class TelegramUpdate(models.Model):
    """An update the bot acted on: Telegram sends one again until it is acknowledged, and a
    command (a stop, a kill) must act once."""

    update_id = models.BigIntegerField(unique=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Telegram update")
        verbose_name_plural = _("Telegram updates")

    def __str__(self) -> str:
        return str(self.update_id)


class Preferences(models.Model):
    """A user's settings for what is worth telling: how far a live fill may drift from its
    paper twin before it is news, and when the daily summary comes, in their time zone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    drift_threshold_pct = models.DecimalField(
        _("drift worth telling (%)"), max_digits=5, decimal_places=2, default=Decimal("0.5")
    )
    summary_hour = models.PositiveSmallIntegerField(_("daily summary at (hour)"), default=20)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user_id)
