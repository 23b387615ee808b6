"""Two-factor helpers for tests: real devices, real codes, real sessions."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import BACKUP_DEVICE_NAME, TOTP_DEVICE_NAME

PASSWORD = "correct horse battery staple 42"


def make_user(email: str, **fields):
    """An account whose email address is verified, as after a completed sign-up."""
    from allauth.account.models import EmailAddress

    from accounts.models import User

    user = User.objects.create_user(email, PASSWORD, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The device's code now, or `steps_ahead` 30-second steps later (within tolerance).

    django-otp refuses a code whose time step was already used: a test that needs two
    codes in a row takes the next step's code the second time.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user, backup_codes: tuple[str, ...] = ("backup01", "backup02")) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    static = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    for code in backup_codes:
        StaticToken.objects.create(device=static, token=code)
    return device


def verify_session(client, device) -> None:
    """What a successful code does to a session, for tests that are not about the code."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
