from collections.abc import Iterable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import two_factor_required
from accounts.http import AuthenticatedRequest
from exchanges import connection_tests, probes, services
from exchanges.diagnosis import Diagnosis, Verdict
from exchanges.forms import ExchangeKeyForm
from exchanges.models import ConnectionTest, Exchange, ExchangeKey

SECRET_FIELDS = ("api_key", "secret", "passphrase", "uid")


def _available_exchanges():
    return Exchange.objects.filter(guide__published=True).order_by("guide__position")


def _own_key(request: HttpRequest, key_id) -> ExchangeKey:
    # Another user's key id is a plain 404, whatever the URL.
    return get_object_or_404(
        ExchangeKey.objects.owned_by(request.user).select_related("exchange"), pk=key_id
    )


def _note_stripped(request: HttpRequest, form: ExchangeKeyForm) -> None:
    if form.stripped:
        messages.info(
            request,
            _("We removed spaces around: %(fields)s (copy-paste often adds them).")
            % {"fields": ", ".join(form.stripped)},
        )


@never_cache
@two_factor_required
def key_list(request: AuthenticatedRequest) -> HttpResponse:
    keys = ExchangeKey.objects.owned_by(request.user).select_related("exchange")
    return render(
        request, "exchanges/key_list.html", {"keys": keys, "exchanges": _available_exchanges()}
    )


@never_cache
@two_factor_required
@sensitive_post_parameters(*SECRET_FIELDS)
@require_http_methods(["GET", "POST"])
def key_add(request: AuthenticatedRequest, exchange_slug: str) -> HttpResponse:
    exchange = get_object_or_404(_available_exchanges(), slug=exchange_slug)
    initial = {"label": services.default_label(user=request.user, exchange=exchange)}
    form = ExchangeKeyForm(
        request.POST or None, initial=initial, exchange=exchange, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        key = services.exchange_key_create(
            user=request.user,
            exchange=exchange,
            label=form.cleaned_data["label"],
            credentials=form.credentials(),
            expires_on=form.cleaned_data["expires_on"],
        )
        _note_stripped(request, form)
        messages.success(request, _("Key saved, encrypted."))
        return redirect(key)
    return render(request, "exchanges/key_form.html", {"form": form, "exchange": exchange})


def _status_context(key: ExchangeKey) -> dict[str, object]:
    test = key.tests.first()
    if test is not None and connection_tests.connection_test_expire(test=test):
        key.refresh_from_db()
        test.refresh_from_db()
    diagnosis = _diagnosis_of(test)
    return {
        "key": key,
        "test": test,
        "tests": key.tests.all()[:10],
        "diagnosis": diagnosis,
        **(
            _permission_context(key.exchange.ccxt_id, test, diagnosis) if test and diagnosis else {}
        ),
        "egress_ips": settings.NOONBARBARI_EGRESS_IPS,
    }


def _permission_context(ccxt_id: str, test: ConnectionTest, diagnosis: Diagnosis) -> dict:
    needs = probes.NEEDS.get(ccxt_id)
    refused: list[str] = []
    if needs and diagnosis.verdict == Verdict.WITHDRAW_ENABLED:
        refused = sorted(needs.forbidden.intersection(test.permissions_seen))
    return {
        # Named as on the exchange's key page too, where the user has to tick or untick them.
        "missing_permissions": _named(ccxt_id, diagnosis.missing_permissions),
        "refused_permissions": _named(ccxt_id, refused),
        # Verdicts read from the key's own permissions have no error anchor of their own.
        "link_to_permissions": not diagnosis.anchor
        and diagnosis.verdict in (Verdict.MISSING_PERMISSION, Verdict.WITHDRAW_ENABLED),
        # A green tick must not read as "cannot withdraw" where the test could not see it.
        "withdrawal_untold": diagnosis.verdict == Verdict.OK
        and not probes.tells_withdrawal(ccxt_id),
    }


def _named(ccxt_id: str, names: Iterable[str]) -> list[dict[str, str]]:
    return [{"name": name, "label": probes.label_for(ccxt_id, name)} for name in names]


def _diagnosis_of(test: ConnectionTest | None) -> Diagnosis | None:
    if test is None or test.running:
        return None
    return Diagnosis(
        verdict=Verdict(test.verdict),
        raw_code=test.raw_code,
        anchor=test.anchor,
        missing_permissions=tuple(test.missing_permissions),
        checklist=tuple(Verdict(item) for item in test.checklist),
        currencies=tuple(test.currencies),
    )


@never_cache
@two_factor_required
def key_detail(request: AuthenticatedRequest, key_id) -> HttpResponse:
    key = _own_key(request, key_id)
    context = {**_status_context(key), "events": key.events.all()}
    return render(request, "exchanges/key_detail.html", context)


@never_cache
@two_factor_required
def key_status(request: AuthenticatedRequest, key_id) -> HttpResponse:
    """The status fragment the key page polls while a test runs."""
    key = _own_key(request, key_id)
    return render(request, "exchanges/_key_status.html", _status_context(key))


@two_factor_required
@require_POST
def key_test(request: AuthenticatedRequest, key_id) -> HttpResponse:
    key = _own_key(request, key_id)
    if not (test := key.tests.first()) or not test.running:
        connection_tests.connection_test_start(key=key)
    return redirect(key)


@never_cache
@two_factor_required
@sensitive_post_parameters(*SECRET_FIELDS)
@require_http_methods(["GET", "POST"])
def key_rotate(request: AuthenticatedRequest, key_id) -> HttpResponse:
    key = _own_key(request, key_id)
    form = ExchangeKeyForm(
        request.POST or None,
        initial={"expires_on": key.expires_on},
        exchange=key.exchange,
        user=request.user,
        key=key,
    )
    if request.method == "POST" and form.is_valid():
        key.expires_on = form.cleaned_data["expires_on"]
        services.exchange_key_rotate(key=key, credentials=form.credentials())
        _note_stripped(request, form)
        messages.success(request, _("Secret replaced."))
        return redirect(key)
    return render(
        request, "exchanges/key_form.html", {"form": form, "exchange": key.exchange, "key": key}
    )


@never_cache
@two_factor_required
@require_http_methods(["GET", "POST"])
def key_delete(request: AuthenticatedRequest, key_id) -> HttpResponse:
    key = _own_key(request, key_id)
    if request.method == "POST":
        services.exchange_key_delete(key=key)
        messages.success(request, _("Key deleted. Delete it on the exchange too."))
        return redirect("exchanges:keys")
    return render(request, "exchanges/key_delete.html", {"key": key})
