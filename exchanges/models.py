from django.db import models
from django.utils.translation import gettext_lazy as _


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
