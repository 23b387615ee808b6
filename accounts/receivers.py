"""Security events and notification emails, from Django's and allauth's signals."""

from allauth.account import signals as allauth_signals
from django.contrib.auth import signals as auth_signals
from django.db import transaction

from accounts import emails
from accounts.models import SecurityEvent, SecurityEventKind, User
from accounts.services import client_ip, security_event_record


def _logged_in(sender, request, user: User, **kwargs) -> None:
    ip = client_ip(request)
    seen_before = SecurityEvent.objects.filter(
        user=user, kind=SecurityEventKind.LOGIN, ip_address=ip
    ).exists()
    first_login = not SecurityEvent.objects.filter(user=user, kind=SecurityEventKind.LOGIN).exists()
    security_event_record(user=user, kind=SecurityEventKind.LOGIN, request=request)
    if not seen_before and not first_login:
        agent = request.META.get("HTTP_USER_AGENT", "")[:300]
        transaction.on_commit(lambda: emails.send_new_login(user, ip_address=ip, user_agent=agent))


def _login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    # Only accounts that exist get an event; nothing is said to the person trying.
    email = credentials.get("email") or credentials.get("username")
    user = User.objects.filter(email__iexact=email).first() if email else None
    if user is not None:
        security_event_record(user=user, kind=SecurityEventKind.LOGIN_FAILED, request=request)


def _password_changed(sender, request, user: User, **kwargs) -> None:
    security_event_record(user=user, kind=SecurityEventKind.PASSWORD_CHANGED, request=request)


def _email_confirmed(sender, request, email_address, **kwargs) -> None:
    security_event_record(
        user=email_address.user, kind=SecurityEventKind.EMAIL_CONFIRMED, request=request
    )


def _email_changed(
    sender, request, user: User, from_email_address, to_email_address, **kwargs
) -> None:
    # allauth also sends this when the first address of an account is confirmed (there is no
    # previous one): that is a confirmation, recorded as such above, not a change.
    if from_email_address is None or from_email_address.email == to_email_address.email:
        return
    security_event_record(user=user, kind=SecurityEventKind.EMAIL_CHANGED, request=request)


def connect() -> None:
    auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="accounts.logged_in")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="accounts.login_failed")
    allauth_signals.password_changed.connect(_password_changed, dispatch_uid="accounts.pw")
    allauth_signals.password_reset.connect(_password_changed, dispatch_uid="accounts.pw_reset")
    allauth_signals.email_changed.connect(_email_changed, dispatch_uid="accounts.email_changed")
    allauth_signals.email_confirmed.connect(
        _email_confirmed, dispatch_uid="accounts.email_confirmed"
    )
