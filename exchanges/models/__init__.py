import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchanges.crypto.digests import keyed_digest
from exchanges.crypto.fields import EncryptedTextField, PendingSecret
from exchanges.crypto.models import DataKey  # noqa: F401 - one of this app's models
from exchanges.diagnosis.verdicts import Diagnosis, Verdict
from exchanges.models.replacements import KeyReplacement, ReplacementOutcome


class Region(models.TextChoices):
    US_FRIENDLY = "us_friendly", _("US-friendly")
    EU = "eu", _("EU")
    GLOBAL = "global", _("Global")


class CcxtSupport(models.TextChoices):
    FIRST_CLASS = "first_class", _("first-class")
    SUPPORTED = "supported", _("supported")
    COMMUNITY = "community", _("community")


class AccountTwoFactor(models.TextChoices):
    REQUIRED = "required", _("Required")
    RECOMMENDED = "recommended", _("Recommended")


class IpWhitelist(models.TextChoices):
    REQUIRED = "required", _("Required")
    RECOMMENDED = "recommended", _("Recommended")
    NOT_AVAILABLE = "not_available", _("Not available")


class Credential(models.TextChoices):
    """The credentials ccxt may require (`requiredCredentials`), named for people."""

    API_KEY = "apiKey", _("API key")
    SECRET = "secret", _("Secret")
    PASSWORD = "password", _("Passphrase")
    UID = "uid", _("User ID (UID)")
    LOGIN = "login", _("Login")
    PRIVATE_KEY = "privateKey", _("Private key")
    WALLET_ADDRESS = "walletAddress", _("Wallet address")
    TOKEN = "token", _("Token")


class ExchangeQuerySet(models.QuerySet["Exchange"]):
    def with_sister(self) -> "ExchangeQuerySet":
        return self.select_related("sister")


class Exchange(models.Model):
    """A trading venue as ccxt reaches it, and the facts a user needs before creating a key."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    ccxt_id = models.CharField(_("ccxt id"), max_length=50, unique=True)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    spot_trading = models.BooleanField(_("spot trading"))
    futures_trading = models.BooleanField(_("futures trading"))
    spot_maker_fee = models.DecimalField(
        _("spot maker fee (%)"), max_digits=6, decimal_places=4, help_text=_("Entry tier.")
    )
    spot_taker_fee = models.DecimalField(
        _("spot taker fee (%)"), max_digits=6, decimal_places=4, help_text=_("Entry tier.")
    )
    ccxt_support = models.CharField(_("CCXT support"), max_length=20, choices=CcxtSupport.choices)
    account_2fa = models.CharField(
        _("2FA on the account"), max_length=20, choices=AccountTwoFactor.choices
    )
    ip_whitelist = models.CharField(_("IP whitelist"), max_length=20, choices=IpWhitelist.choices)
    ip_whitelist_max = models.PositiveSmallIntegerField(
        _("IP addresses per key"),
        null=True,
        blank=True,
        help_text=_("How many IP addresses one key accepts, when the exchange says."),
    )
    credentials = models.JSONField(
        _("credentials"),
        default=list,
        help_text=_("What a key consists of, from ccxt's requiredCredentials."),
    )
    sister = models.ForeignKey(
        "self",
        verbose_name=_("sister venue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The same company's other venue, whose API keys are separate."),
    )
    website_url = models.URLField(_("website"), blank=True)
    api_keys_url = models.URLField(_("API keys page"), blank=True)
    support_url = models.URLField(_("support centre"), blank=True)
    fees_url = models.URLField(_("fee schedule"), blank=True)
    content_digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Digest of the guides/content facts last loaded: tells staff edits apart.",
    )

    objects = ExchangeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(spot_maker_fee__gte=0, spot_taker_fee__gte=0),
                name="exchange_fees_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def credential_labels(self) -> list[str]:
        labels = dict(Credential.choices)
        return [str(labels.get(name, name)) for name in self.credentials]


class KeyStatus(models.TextChoices):
    UNTESTED = "untested", _("Not tested yet")
    TESTING = "testing", _("Testing…")
    OK = "ok", _("Connected")
    FAILED = "failed", _("Connection failed")
    REFUSED = "refused", _("Refused")


class ExchangeKeyQuerySet(models.QuerySet["ExchangeKey"]):
    def owned_by(self, user) -> "ExchangeKeyQuerySet":
        return self.filter(user=user)

    def needing_replacement(self) -> "ExchangeKeyQuerySet":
        """Keys older than ROTATE_AFTER_DAYS (since created or last replaced), or expiring
        within EXPIRY_WARNING_DAYS: their owners are reminded."""
        now = timezone.now()
        old = now - timedelta(days=ExchangeKey.ROTATE_AFTER_DAYS)
        soon = timezone.localdate() + timedelta(days=ExchangeKey.EXPIRY_WARNING_DAYS)
        return self.filter(
            models.Q(rotated_at__lt=old)
            | models.Q(rotated_at__isnull=True, created_at__lt=old)
            | models.Q(expires_on__lte=soon)
        )


class ExchangeKey(models.Model):
    """An exchange API key. Every credential is encrypted; only the hint is stored in clear."""

    ROTATE_AFTER_DAYS = 90
    EXPIRY_WARNING_DAYS = 14
    API_KEY_DIGEST_PURPOSE = "exchange-api-key"

    # A random id: bound into each ciphertext before the row exists, and not guessable in URLs.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="exchange_keys",
    )
    exchange = models.ForeignKey(
        Exchange, verbose_name=_("exchange"), on_delete=models.PROTECT, related_name="keys"
    )
    label = models.CharField(_("label"), max_length=50)
    # Nullable so that deletion can overwrite the ciphertexts before removing the row.
    api_key = EncryptedTextField(_("API key"), null=True)
    secret = EncryptedTextField(_("secret"), null=True)
    passphrase = EncryptedTextField(_("passphrase"), null=True, blank=True)
    uid = EncryptedTextField(_("user ID (UID)"), null=True, blank=True)
    key_hint = models.CharField(_("key ends with"), max_length=8)
    # Finds the same API key saved twice by one user without decrypting their keys
    # (crypto/digests.py); "" for rows saved before it existed that did not decrypt.
    api_key_digest = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("secret replaced"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    # The last day its owner was reminded to replace it (old, or expiring soon).
    reminded_on = models.DateField(_("reminded on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=KeyStatus.choices, default=KeyStatus.UNTESTED
    )
    last_verdict = models.TextField(_("last verdict"), blank=True)
    # The account's own taker fee (a fraction) as the exchange said at the last passing
    # connection test: what backtests and paper runs on this exchange default to.
    taker_fee = models.DecimalField(
        _("your taker fee"), max_digits=8, decimal_places=6, null=True, blank=True
    )
    taker_fee_read_at = models.DateTimeField(_("taker fee read"), null=True, blank=True)

    objects = ExchangeKeyQuerySet.as_manager()

    class Meta:
        ordering = ["label"]
        verbose_name = _("exchange key")
        verbose_name_plural = _("exchange keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "label"], name="unique_key_label_per_user"),
            # Two programs on one key clash on its nonces.
            models.UniqueConstraint(
                fields=["user", "api_key_digest"],
                condition=~models.Q(api_key_digest=""),
                name="unique_api_key_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} (…{self.key_hint})"

    def save(self, *args, **kwargs) -> None:
        # A new plaintext API key (added, replaced, or re-encrypted under a new data key) gets
        # its digest from the data key it is encrypted under.
        pending = self.__dict__.get("api_key")
        if isinstance(pending, PendingSecret):
            self.api_key_digest = self.digest_of(user_id=self.user_id, api_key=pending.reveal())
            fields = kwargs.get("update_fields")
            if fields is not None:
                kwargs["update_fields"] = {*fields, "api_key_digest"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("exchanges:key_detail", kwargs={"key_id": self.pk})

    @classmethod
    def digest_of(cls, *, user_id: int, api_key: str) -> str:
        return keyed_digest(user_id=user_id, purpose=cls.API_KEY_DIGEST_PURPOSE, value=api_key)

    @property
    def age(self) -> timedelta:
        return timezone.now() - (self.rotated_at or self.created_at)

    @property
    def needs_rotation(self) -> bool:
        return self.age > timedelta(days=self.ROTATE_AFTER_DAYS)

    @property
    def expires_soon(self) -> bool:
        """It expires within EXPIRY_WARNING_DAYS, or has expired."""
        if self.expires_on is None:
            return False
        return self.expires_on - timezone.localdate() <= timedelta(days=self.EXPIRY_WARNING_DAYS)


class KeyEventKind(models.TextChoices):
    CREATED = "created", _("Added")
    SECRET_SUBMITTED = "secret_submitted", _("New secret submitted for testing")
    SECRET_REPLACED = "secret_replaced", _("Secret replaced")
    SECRET_REFUSED = "secret_refused", _("New secret refused, previous one kept")
    TESTED = "tested", _("Connection tested")
    DECRYPTED = "decrypted", _("Decrypted")
    DECRYPTION_FAILED = "decryption_failed", _("Decryption failed")
    DELETED = "deleted", _("Deleted")


# Who acted on a key, as the key page names them (the stored actor is an id for operators).
ACTOR_LABELS = {
    "web": _("You, on the site"),
    "task:connection_test": _("Connection test"),
}


class ExchangeKeyEvent(models.Model):
    """The audit trail of a key; it outlives the key, whose label it keeps."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exchange_key_events"
    )
    key = models.ForeignKey(
        ExchangeKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    key_label = models.CharField(_("key"), max_length=50)
    kind = models.CharField(_("event"), max_length=20, choices=KeyEventKind.choices)
    actor = models.CharField(
        _("by"), max_length=80, help_text=_("Who acted: the web site, or which task.")
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("key event")
        verbose_name_plural = _("key events")

    def __str__(self) -> str:
        return f"{self.key_label}: {self.get_kind_display()}"

    def get_actor_display(self) -> str:
        """Who acted, in words: the site, a named task, or Noon Barbari for any other task."""
        return str(ACTOR_LABELS.get(self.actor, _("Noon Barbari, automatically")))


class ConnectionTestQuerySet(models.QuerySet["ConnectionTest"]):
    def of_key_credentials(self) -> "ConnectionTestQuerySet":
        """Tests of the credentials a key holds (or held): not those of a new secret being
        tested, or refused."""
        return self.filter(
            models.Q(replacement__isnull=True)
            | models.Q(replacement__outcome=ReplacementOutcome.ADOPTED)
        )


class ConnectionTest(models.Model):
    """One run of the connection test of a key: what was asked, what the exchange said.

    A test with a `replacement` tried that replacement's credentials, not the key's."""

    STALE_AFTER = timedelta(minutes=2)

    key = models.ForeignKey(ExchangeKey, on_delete=models.CASCADE, related_name="tests")
    replacement = models.OneToOneField(
        KeyReplacement,
        verbose_name=_("new secret tested"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="test",
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=24, choices=Verdict.choices, blank=True)
    raw_code = models.CharField(_("exchange's error"), max_length=300, blank=True)
    anchor = models.CharField(max_length=80, blank=True)
    permissions_seen = models.JSONField(_("permissions seen"), default=list, blank=True)
    missing_permissions = models.JSONField(_("missing permissions"), default=list, blank=True)
    refused_permissions = models.JSONField(_("refused permissions"), default=list, blank=True)
    discouraged_permissions = models.JSONField(
        _("permissions never needed"), default=list, blank=True
    )
    checklist = models.JSONField(default=list, blank=True)
    currencies = models.JSONField(_("currencies"), default=list, blank=True)
    requests = models.PositiveSmallIntegerField(_("HTTP requests"), default=0)

    objects = ConnectionTestQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("connection test")
        verbose_name_plural = _("connection tests")

    def __str__(self) -> str:
        return f"{self.key_id} {self.started_at:%Y-%m-%d %H:%M} {self.verdict or 'running'}"

    @property
    def running(self) -> bool:
        return self.finished_at is None

    # A verdict is kept in columns (the admin lists and filters them); these two are the only
    # places that translate between the columns and a Diagnosis.
    def record(self, diagnosis: Diagnosis) -> None:
        self.verdict = diagnosis.verdict
        self.raw_code = diagnosis.raw_code[:300]
        self.anchor = diagnosis.anchor
        self.missing_permissions = list(diagnosis.missing_permissions)
        self.refused_permissions = list(diagnosis.refused_permissions)
        self.discouraged_permissions = list(diagnosis.discouraged_permissions)
        self.permissions_seen = list(diagnosis.permissions_seen)
        self.checklist = [str(item) for item in diagnosis.checklist]
        self.currencies = list(diagnosis.currencies)

    @property
    def diagnosis(self) -> Diagnosis | None:
        """The finished test's verdict; None while it runs."""
        if self.running:
            return None
        return Diagnosis(
            verdict=Verdict(self.verdict),
            raw_code=self.raw_code,
            anchor=self.anchor,
            missing_permissions=tuple(self.missing_permissions),
            refused_permissions=tuple(self.refused_permissions),
            discouraged_permissions=tuple(self.discouraged_permissions),
            permissions_seen=tuple(self.permissions_seen),
            checklist=tuple(Verdict(item) for item in self.checklist),
            currencies=tuple(self.currencies),
        )
