"""The security emails Noon Barbari sends, in the recipient's language, as text and HTML."""

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User


def absolute_url(path: str) -> str:
    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{Site.objects.get_current().domain}{path}"


def send_user_email(user: User, template: str, context: dict[str, object]) -> None:
    """Render accounts/email/<template>_{subject.txt,message.txt,message.html} and send; a
    `template` with a slash names another app's ("notifications/email/notice")."""
    with translation.override(user.preferred_language):
        context = {
            "user": user,
            "profile_url": absolute_url(reverse("accounts:profile")),
            **context,
        }
        prefix = template if "/" in template else f"accounts/email/{template}"
        subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
        # The same prefix as allauth's emails (ACCOUNT_EMAIL_SUBJECT_PREFIX's default).
        subject = f"[{Site.objects.get_current().name}] {subject}"
        text = render_to_string(f"{prefix}_message.txt", context)
        html = render_to_string(f"{prefix}_message.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    message.send()


def send_two_factor_changed(user: User, *, enabled: bool) -> None:
    send_user_email(user, "two_factor_enabled" if enabled else "two_factor_disabled", {})


def send_new_login(user: User, *, ip_address: str | None, user_agent: str) -> None:
    send_user_email(user, "new_login", {"ip_address": ip_address, "user_agent": user_agent})
