"""Two-factor authentication on django-otp: which devices a user has, and checking a code."""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime
from typing import TypeGuard

from django.utils import timezone
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SpentBackupCode

TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
RECOVERY_DEVICE_NAME = "Support recovery code"
# django-otp's default for TOTP devices, which we never change.
TOTP_DIGITS = 6
# At most this many backup codes left: the user is asked to generate new ones.
FEW_BACKUP_CODES = 3


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


def is_backup_device(device: Device | None) -> TypeGuard[StaticDevice]:
    return isinstance(device, StaticDevice) and device.name == BACKUP_DEVICE_NAME


def _spent_digest(device: StaticDevice, code: str) -> str:
    # A spent code opens nothing any more: a digest (bound to its device) is enough to
    # recognise it, and the code itself is never stored.
    return hashlib.sha256(f"{device.pk}:{code}".encode()).hexdigest()


def _already_spent(devices: list[Device], code: str) -> bool:
    """Whether `code` is a backup code of these devices that was used already."""
    return any(
        SpentBackupCode.objects.filter(device=device, digest=_spent_digest(device, code)).exists()
        for device in devices
        if is_backup_device(device)
    )


def _remember_spent(device: Device, code: str) -> None:
    if is_backup_device(device):
        SpentBackupCode.objects.get_or_create(device=device, digest=_spent_digest(device, code))


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code: the device it matched, or why it was refused."""

    device: Device | None = None
    locked_until: datetime | None = None
    # A backup code that worked once already (each works once): not a wrong code.
    already_used: bool = False

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
    A used backup code is remembered (as a digest) to say so when it is typed again.
    Backup codes are issued in lower case but often copied out in capitals: case is ignored.
    """
    code = "".join(code.split()).lower()
    devices = confirmed_devices(user) if devices is None else devices
    # Only the devices that could hold such a code see it: a backup code typed at the prompt
    # must not count as a wrong app code (that lock-out would grow unseen and make the
    # announced wait wrong), nor an app code as a wrong backup code.
    candidates = [device for device in devices if _may_hold(device, code)]
    # Before any device checks it: retyping a spent code is a mistake, not a guess, and
    # must not lengthen the lock-out. It opens nothing: it was deleted when used, and new
    # codes forget the spent ones (services._new_backup_codes), so none can be both.
    if _already_spent(candidates, code):
        return CodeCheck(already_used=True)
    for device in candidates:
        allowed, _details = device.verify_is_allowed()
        if allowed and device.verify_token(code):
            _remember_spent(device, code)
            return CodeCheck(device=device)
    return CodeCheck(locked_until=_locked_until(candidates))


def _may_hold(device: Device, code: str) -> bool:
    """An app gives codes of its number of digits; anything else is a backup or recovery code."""
    app_shaped = code.isdigit() and len(code) == TOTP_DIGITS
    return app_shaped if isinstance(device, TOTPDevice) else not app_shaped


def _locked_until(devices: list[Device]) -> datetime | None:
    """When every device that may hold the code checks codes again, if one is locked out.

    The latest time, not the earliest: a code typed sooner could reach a device that is
    still locked, be refused unchecked, and the user would be told their right code is wrong.
    """
    until = []
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            until.append(details["locked_until"])
    return max(until, default=None)


def fresh_app_code(user, code: str) -> CodeCheck:
    """A code from the authenticator app, accepted once (django-otp refuses a replay); a
    backup code never counts: what moves money asks for the device itself."""
    apps = [device for device in confirmed_devices(user) if isinstance(device, TOTPDevice)]
    return check_code(user, code, apps) if code else CodeCheck()


def fresh_app_code_ok(user, code: str) -> bool:
    return fresh_app_code(user, code).ok
