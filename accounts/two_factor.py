"""Two-factor authentication on django-otp: which devices a user has, and checking a code."""

import math
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
RECOVERY_DEVICE_NAME = "Support recovery code"


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user) -> bool:
    """Whether the user finished enrolment: a confirmed authenticator app."""
    return bool(user.is_authenticated) and totp_device(user) is not None


def session_verified(request) -> bool:
    """Whether this session gave a second factor (django-otp's middleware tells)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def confirmed_devices(user) -> list[Device]:
    return [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]


def backup_codes_left(user) -> int:
    device = StaticDevice.objects.filter(user=user, name=BACKUP_DEVICE_NAME).first()
    return device.token_set.count() if device else 0


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code: the device it matched, or why it was refused."""

    device: Device | None = None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.device is not None

    @property
    def wait_seconds(self) -> int:
        if self.locked_until is None:
            return 0
        return max(1, math.ceil((self.locked_until - timezone.now()).total_seconds()))


def check_code(user, code: str, devices: list[Device] | None = None) -> CodeCheck:
    """Check a TOTP or backup code against `user`'s own confirmed devices only.

    django-otp does the rest: a TOTP code is accepted once (replays within its window fail),
    a backup code is deleted when used, and each wrong code doubles the device's lock-out.
    """
    code = "".join(code.split())
    devices = confirmed_devices(user) if devices is None else devices
    for device in devices:
        allowed, _details = device.verify_is_allowed()
        if allowed and device.verify_token(code):
            return CodeCheck(device=device)
    return CodeCheck(locked_until=_locked_until(devices))


def _locked_until(devices: list[Device]) -> datetime | None:
    """When the devices accept codes again, if wrong codes have locked them all."""
    until = []
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if allowed:
            return None
        if details and details.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            until.append(details["locked_until"])
    return min(until, default=None)
