from base64 import b32encode
from io import BytesIO
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import services
from accounts.forms import CodeForm, DeleteAccountForm, EnrolmentCodeForm, ProfileForm
from accounts.http import AuthenticatedRequest
from accounts.models import SecurityEventKind
from accounts.next_url import is_local_path
from accounts.two_factor import (
    FEW_BACKUP_CODES,
    CodeCheck,
    backup_codes_left,
    check_code,
    has_two_factor,
    is_backup_device,
    session_verified,
)

FRESH_CODES_SESSION_KEY = "accounts.fresh_backup_codes"


def _next_url(request: HttpRequest, default: str = "accounts:profile") -> str:
    """The `next` path if it is one of ours, otherwise `default` (a URL name)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    return candidate if is_local_path(candidate, request) else reverse(default)


def _with_next(urlname: str, next_url: str) -> str:
    return f"{reverse(urlname)}?{urlencode({'next': next_url})}"


def _reverse_in(language: str, urlname: str) -> str:
    with translation.override(language):
        return reverse(urlname)


def _code_error(result: CodeCheck) -> str:
    if result.already_used:
        return _(
            "This backup code was already used: each code works once. Type another one, or "
            "the code your authenticator app shows."
        )
    if result.locked_until:
        seconds = result.wait_seconds
        return ngettext(
            "Wrong code. Too many tries: wait %(seconds)d second before the next one.",
            "Wrong code. Too many tries: wait %(seconds)d seconds before the next one.",
            seconds,
        ) % {"seconds": seconds}
    return _("Wrong code. Check the time on your phone and try the newest code.")


def _tell_backup_codes_left(request: HttpRequest, result: CodeCheck, user) -> None:
    """After a login or a step-up with a backup code: how many are left, and when few or
    none are, where to generate new ones."""
    if not is_backup_device(result.device):
        return
    left = backup_codes_left(user)
    if left > FEW_BACKUP_CODES:
        text = ngettext(
            "You used a backup code: %(count)d code is left (each works once).",
            "You used a backup code: %(count)d codes are left (each works once).",
            left,
        ) % {"count": left}
        messages.info(request, text)
        return
    if left:
        text = ngettext(
            "You used a backup code: only %(count)d code is left (each works once).",
            "You used a backup code: only %(count)d codes are left (each works once).",
            left,
        ) % {"count": left}
    else:
        text = _("You used your last backup code: none is left.")
    link = format_html(
        '<a href="{}">{}</a>', reverse("accounts:backup_codes"), _("Get new backup codes")
    )
    messages.warning(request, format_html("{} {}", text, link))


def _checked_code(request: HttpRequest, form: CodeForm, user) -> CodeCheck | None:
    """Check the posted code (any CodeForm); on failure, record it and say why on the form."""
    if not form.is_valid():
        return None
    result = check_code(user, form.cleaned_data["code"])
    if result.ok:
        if isinstance(result.device, StaticDevice):
            services.security_event_record(
                user=user, kind=SecurityEventKind.BACKUP_CODE_USED, request=request
            )
        return result
    services.security_event_record(user=user, kind=SecurityEventKind.CODE_FAILED, request=request)
    form.add_error("code", _code_error(result))
    return None


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_login(request: HttpRequest) -> HttpResponse:
    """The login stage after the password: the user is not logged in until the code passes."""
    # Imported here: allauth.account.stages imports allauth's flows, which import the URL conf.
    from allauth.account.stages import LoginStageController

    from accounts.stages import TwoFactorStage

    if request.user.is_authenticated:
        return HttpResponseRedirect(_next_url(request))
    stage = LoginStageController.enter(request, TwoFactorStage.key)
    if stage is None:
        return redirect("account_login")
    user = stage.login.user
    form = CodeForm(request.POST or None)
    if request.method == "POST" and (result := _checked_code(request, form, user)):
        assert result.device is not None  # noqa: S101 - ok() guarantees it
        # Kept across Django's login, which keeps the session data: the session is verified.
        request.session[DEVICE_ID_SESSION_KEY] = result.device.persistent_id
        _tell_backup_codes_left(request, result, user)
        return stage.exit()
    return render(request, "accounts/two_factor_login.html", {"form": form})


@require_POST
def two_factor_login_cancel(request: HttpRequest) -> HttpResponse:
    """ "Start again with another account": drop the login waiting for its code, whole session
    included (allauth would otherwise send the login page straight back to the code)."""
    logout(request)
    return redirect("account_login")


@login_required
@never_cache
@sensitive_post_parameters("code")
@sensitive_variables("device")
@require_http_methods(["GET", "POST"])
def two_factor_enable(request: AuthenticatedRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code and secret, then a current code to confirm."""
    if has_two_factor(request.user):
        return HttpResponseRedirect(_next_url(request))
    device = services.totp_device_start(user=request.user)
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = check_code(request.user, form.cleaned_data["code"], devices=[device])
        if result.ok:
            codes = services.two_factor_enable(request=request, device=device)
            request.session[FRESH_CODES_SESSION_KEY] = codes
            messages.success(request, _("Two-factor authentication is on."))
            return HttpResponseRedirect(_with_next("accounts:backup_codes", _next_url(request)))
        form.add_error("code", _code_error(result))
    qr = segno.make(device.config_url, error="m")
    svg = BytesIO()
    qr.save(svg, kind="svg", xmldecl=False, svgns=True, scale=4, border=2, title="")
    context = {
        "form": form,
        "qr_svg": mark_safe(svg.getvalue().decode()),  # noqa: S308 - generated by segno
        "secret": _grouped(device.key),
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_enable.html", context)


def _grouped(hex_key: str) -> str:
    """The TOTP key in base32, as authenticator apps ask for it, in groups of four."""
    secret = b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: AuthenticatedRequest) -> HttpResponse:
    """Confirm a logged-in session with a code (step-up before money pages and the admin)."""
    if not has_two_factor(request.user):
        return HttpResponseRedirect(_with_next("accounts:two_factor_enable", _next_url(request)))
    if session_verified(request):
        return HttpResponseRedirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and (result := _checked_code(request, form, request.user)):
        otp_login(request, result.device)
        _tell_backup_codes_left(request, result, request.user)
        return HttpResponseRedirect(_next_url(request))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def backup_codes(request: AuthenticatedRequest) -> HttpResponse:
    """Fresh codes are shown once; otherwise how many are left, and a way to get new ones."""
    if not has_two_factor(request.user):
        return redirect("accounts:profile")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and _checked_code(request, form, request.user):
        codes = services.backup_codes_regenerate(request=request, user=request.user)
        request.session[FRESH_CODES_SESSION_KEY] = codes
        return redirect("accounts:backup_codes")
    context = {
        "form": form,
        "fresh_codes": request.session.get(FRESH_CODES_SESSION_KEY),
        "codes_left": backup_codes_left(request.user),
        "next": _next_url(request),
    }
    return render(request, "accounts/backup_codes.html", context)


@login_required
@never_cache
def backup_codes_download(request: AuthenticatedRequest) -> HttpResponse:
    codes = request.session.get(FRESH_CODES_SESSION_KEY)
    if not codes:
        raise Http404
    lines = [
        _("Noon Barbari backup codes for %(email)s") % {"email": request.user.email},
        _("Each code works once. Keep them somewhere safe, away from your phone."),
        "",
        *codes,
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="noon-barbari-backup-codes.txt"'
    return response


@login_required
@require_POST
def backup_codes_saved(request: AuthenticatedRequest) -> HttpResponse:
    """The user has stored the codes: they are never shown again."""
    request.session.pop(FRESH_CODES_SESSION_KEY, None)
    return HttpResponseRedirect(_next_url(request))


@login_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_disable(request: AuthenticatedRequest) -> HttpResponse:
    if not has_two_factor(request.user):
        return redirect("accounts:profile")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and _checked_code(request, form, request.user):
        try:
            services.two_factor_disable(request=request, user=request.user)
        except services.TwoFactorRemovalRefused as refusal:
            for reason in refusal.reasons:
                messages.error(request, reason)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("accounts:profile")
    return render(request, "accounts/two_factor_disable.html", {"form": form})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Your profile is saved."))
        # Show the profile in the language just chosen.
        return HttpResponseRedirect(_reverse_in(user.preferred_language, "accounts:profile"))
    context = {
        "form": form,
        "two_factor": has_two_factor(request.user),
        "codes_left": backup_codes_left(request.user),
        "events": request.user.security_events.all()[:20],
        "languages": settings.LANGUAGES,
        "sections": [section(request.user) for section in services.profile_sections],
    }
    return render(request, "accounts/profile.html", context)


@login_required
@never_cache
@sensitive_post_parameters("password", "code")
@require_http_methods(["GET", "POST"])
def delete_account(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    needs_code = has_two_factor(user)
    form = DeleteAccountForm(request.POST or None, user=user, needs_code=needs_code)
    if (
        request.method == "POST"
        and form.is_valid()
        and (not needs_code or _checked_code(request, form, user))
    ):
        try:
            services.account_delete(request=request, user=user)
        except services.AccountDeletionRefused as refusal:
            for reason in refusal.reasons:
                messages.error(request, reason)
        else:
            messages.success(request, _("Your account and its data are deleted."))
            return redirect("home")
    return render(request, "accounts/delete_account.html", {"form": form})
