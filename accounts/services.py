"""Writes to accounts: security events, two-factor enrolment and removal, account deletion."""

import logging
from collections.abc import Callable
from typing import Any

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import emails
from accounts.models import SecurityEvent, SecurityEventKind, SpentBackupCode, User
from accounts.two_factor import (
    BACKUP_DEVICE_NAME,
    RECOVERY_DEVICE_NAME,
    TOTP_DEVICE_NAME,
)

logger = logging.getLogger(__name__)

# Sent before an account is deleted, inside the deleting transaction: apps that keep data
# of their own (exchange keys, runs) clean it up here. Arguments: user.
account_deleting = Signal()


class ActionRefused(Exception):
    """Something that depends on the subject forbids the action; each reason is a translated
    sentence for the user."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


# Hooks other apps contribute to (exchange keys, active runs) without accounts importing them:
# each callable returns a translated sentence saying why not, or None.
Blocker = Callable[[Any], str | None]


def reasons_against(blockers: list[Blocker], subject: Any) -> list[str]:
    return [reason for blocker in blockers if (reason := blocker(subject))]


def refuse_if_blocked(blockers: list[Blocker], subject: Any, refusal: type[ActionRefused]) -> None:
    """Raise `refusal` with every reason the blockers give; nothing when none objects."""
    if reasons := reasons_against(blockers, subject):
        raise refusal(reasons)


TwoFactorRemovalBlocker = Callable[[User], str | None]
two_factor_removal_blockers: list[TwoFactorRemovalBlocker] = []
AccountDeletionBlocker = Callable[[User], str | None]
account_deletion_blockers: list[AccountDeletionBlocker] = []
# Sections an app above adds to the profile page: (template name, its context) for the user.
ProfileSection = Callable[[User], tuple[str, dict[str, Any]]]
profile_sections: list[ProfileSection] = []


class TwoFactorRemovalRefused(ActionRefused):
    pass


class AccountDeletionRefused(ActionRefused):
    pass


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def security_event_record(
    *, user: User, kind: SecurityEventKind, request: HttpRequest | None = None
) -> SecurityEvent:
    return SecurityEvent.objects.create(
        user=user,
        kind=kind,
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:300],
    )


def totp_device_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator-app device to enrol, created once and reused."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _new_backup_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    # A new code must never be taken for a spent one of the old set.
    SpentBackupCode.objects.filter(device=device).delete()
    codes = [StaticToken.random_token() for _ in range(settings.BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_enable(*, request: HttpRequest, device: TOTPDevice) -> list[str]:
    """Confirm the authenticator app (its code was checked), issue backup codes, and verify
    this session. Returns the backup codes, to be shown once."""
    user = device.user
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = _new_backup_codes(user)
    otp_login(request, device)
    security_event_record(user=user, kind=SecurityEventKind.TWO_FACTOR_ENABLED, request=request)
    transaction.on_commit(lambda: emails.send_two_factor_changed(user, enabled=True))
    return codes


@transaction.atomic
def backup_codes_regenerate(*, request: HttpRequest, user: User) -> list[str]:
    codes = _new_backup_codes(user)
    security_event_record(
        user=user, kind=SecurityEventKind.BACKUP_CODES_REGENERATED, request=request
    )
    return codes


@transaction.atomic
def two_factor_disable(*, request: HttpRequest, user: User) -> None:
    """Remove every device; refused while something that touches money depends on 2FA."""
    refuse_if_blocked(two_factor_removal_blockers, user, TwoFactorRemovalRefused)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    security_event_record(user=user, kind=SecurityEventKind.TWO_FACTOR_DISABLED, request=request)
    transaction.on_commit(lambda: emails.send_two_factor_changed(user, enabled=False))


@transaction.atomic
def recovery_code_issue(*, user: User) -> str:
    """A single-use code an operator hands to a locked-out user, through a checked channel."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    code = StaticToken.random_token()
    StaticToken.objects.create(device=device, token=code)
    security_event_record(user=user, kind=SecurityEventKind.RECOVERY_CODE_ISSUED)
    # The code itself never reaches a log.
    logger.warning("Recovery code issued for user id %s", user.pk)
    return code


@transaction.atomic
def account_delete(*, request: HttpRequest, user: User) -> None:
    """Delete the account and everything hanging off it, then end the session; refused while
    something running depends on it (a live run and its key)."""
    refuse_if_blocked(account_deletion_blockers, user, AccountDeletionRefused)
    account_deleting.send(sender=User, user=user)
    user_id = user.pk
    user.delete()
    logout(request)
    logger.info("Account %s deleted by its owner", user_id)
