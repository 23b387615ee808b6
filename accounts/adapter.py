from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation
from django.utils.encoding import punycode
from django.utils.translation import gettext_lazy as _

from accounts.next_url import is_local_path


class AccountAdapter(DefaultAccountAdapter):
    # Our own words (and our own French, which says "tu") for the messages our pages show.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("This account is disabled. Write to our support."),
        "cannot_remove_primary_email": _("You cannot remove your main email address."),
        "duplicate_email": _("This email address is already on your account."),
        "email_password_mismatch": _("The email address or the password is not right."),
        "email_taken": _("An account already uses this email address."),
        "enter_current_password": _("Type your current password."),
        "incorrect_code": _("Wrong code."),
        "incorrect_password": _("Wrong password."),
        "invalid_or_expired_key": _("This link is wrong or has expired."),
        "invalid_login": _("This login cannot be used."),
        "invalid_password_reset": _("This password reset link is wrong or has expired."),
        "too_many_login_attempts": _("Too many failed login attempts. Try again in a few minutes."),
        "unknown_email": _("No account uses this email address."),
        "unverified_primary_email": _("Confirm your email address first."),
        "same_as_current": _("The new value must differ from the current one."),
        "rate_limited": _("Too many requests in a short time. Wait a moment and try again."),
    }

    def is_safe_url(self, url: str) -> bool:
        """allauth's `next`: a path on this site only, as our own views follow it."""
        return is_local_path(url, self.request) and super().is_safe_url(url)

    def clean_email(self, email: str) -> str:
        """Sign-up, email changes and password resets: one spelling per address."""
        return email_canonical(super().clean_email(email))

    def get_login_stages(self) -> list[str]:
        return [*super().get_login_stages(), "accounts.stages.TwoFactorStage"]

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        """New accounts start with the language they signed up in and their display name."""
        user.display_name = form.cleaned_data.get("display_name", "")
        user.preferred_language = translation.get_language() or user.preferred_language
        return super().save_user(request, user, form, commit=commit)

    def post_login(self, request: HttpRequest, user, *, redirect_url: str | None, **kwargs):
        """Logged in: from here the site speaks the user's language (their profile's choice).

        The page asked for (`next`) is sent in that language, and allauth's "You are logged
        in." is rendered in it too, as it is rendered now and shown on the next page.
        """
        language = getattr(user, "preferred_language", "")
        if not language:
            return super().post_login(request, user, redirect_url=redirect_url, **kwargs)
        # Translated under the current language, in which the path still resolves.
        if redirect_url:
            redirect_url = translate_url(redirect_url, language)
        with translation.override(language):
            return super().post_login(request, user, redirect_url=redirect_url, **kwargs)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Where to go after logging in, in the language the user chose in their profile."""
        url = super().get_login_redirect_url(request)
        language = getattr(request.user, "preferred_language", "")
        return translate_url(url, language) if language else url

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails (verification, password reset...) in the user's language."""
        with _language_of(context.get("user")):
            super().send_mail(template_prefix, email, context)

    def send_notification_mail(self, template_prefix, user, context=None, email=None) -> None:
        """Notices (password or email changed) name no user in their context: set it here."""
        with _language_of(user):
            super().send_notification_mail(template_prefix, user, context=context, email=email)


def email_canonical(email: str) -> str:
    """The address with its domain in ASCII (punycode), lower case: "ada@exämple.com" and
    "ada@xn--exmple-cua.com" are one mailbox, so they must be one account.

    A domain that is not a valid internationalised name is left as typed, for the form's
    own validation to refuse.
    """
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    try:
        return f"{local}@{punycode(domain).lower()}"
    except UnicodeError:
        return email


def _language_of(user) -> translation.override:
    return translation.override(
        getattr(user, "preferred_language", "") or translation.get_language()
    )
