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
from exchanges import connection_tests, selectors, services
from exchanges.forms import ExchangeKeyForm
from exchanges.models import ExchangeKey

SECRET_FIELDS = ("api_key", "secret", "passphrase", "uid")


def _own_key(request: AuthenticatedRequest, key_id) -> ExchangeKey:
    # Another user's key id is a plain 404, whatever the URL.
    return get_object_or_404(selectors.keys_owned(request.user), pk=key_id)


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
    connection_tests.connection_tests_settle(keys=selectors.keys_owned(request.user))
    context = {
        "keys": selectors.keys_owned(request.user),
        "exchanges": selectors.exchanges_available(),
    }
    return render(request, "exchanges/key_list.html", context)


@never_cache
@two_factor_required
@sensitive_post_parameters(*SECRET_FIELDS)
@require_http_methods(["GET", "POST"])
def key_add(request: AuthenticatedRequest, exchange_slug: str) -> HttpResponse:
    exchange = get_object_or_404(selectors.exchanges_available(), slug=exchange_slug)
    initial = {"label": services.default_label(user=request.user, exchange=exchange)}
    form = ExchangeKeyForm(
        request.POST or None, initial=initial, exchange=exchange, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            key = services.exchange_key_create(
                user=request.user,
                exchange=exchange,
                label=form.cleaned_data["label"],
                credentials=form.credentials(),
                expires_on=form.cleaned_data["expires_on"],
            )
        except services.KeyConflict as conflict:
            form.add_conflict(conflict.field, conflict.label)
        else:
            _note_stripped(request, form)
            messages.success(request, _("Key saved, encrypted."))
            return redirect(key)
    return render(request, "exchanges/key_form.html", {"form": form, "exchange": exchange})


def _status_context(key: ExchangeKey) -> dict[str, object]:
    # The latest test, of the key's credentials or of a new secret: the page follows it.
    test = connection_tests.connection_test_settle(key=key)
    own = selectors.tests_of(key).first()
    replacement = test.replacement if test is not None else None
    return {
        "key": key,
        "test": test,
        "own_test": own,
        "tests": selectors.test_history(key)[:10],
        "verdict": selectors.key_verdict(own),
        "replacement": replacement,
        "replacement_verdict": selectors.key_verdict(test) if replacement else None,
        "egress_ips": settings.NOONBARBARI_EGRESS_IPS,
    }


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
    try:
        connection_tests.connection_test_request(key=key)
    except connection_tests.ConnectionTestRefused as refusal:
        for reason in refusal.reasons:
            messages.info(request, reason)
    else:
        messages.success(request, _("Test started: its verdict shows below in a few seconds."))
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
        try:
            services.exchange_key_rotate(
                key=key, credentials=form.credentials(), expires_on=form.cleaned_data["expires_on"]
            )
        except services.ReplacementRefused as refusal:
            for reason in refusal.reasons:
                messages.info(request, reason)
        else:
            _note_stripped(request, form)
            messages.success(
                request,
                _(
                    "New secret saved, encrypted. It replaces the current one only once the "
                    "exchange accepts it: the test runs below. Until then, the key keeps its "
                    "current secret."
                ),
            )
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
        try:
            services.exchange_key_delete(key=key)
        except services.KeyDeletionRefused as refusal:
            for reason in refusal.reasons:
                messages.error(request, reason)
            return redirect(key)
        messages.success(request, _("Key deleted. Delete it on the exchange too."))
        return redirect("exchanges:keys")
    return render(request, "exchanges/key_delete.html", {"key": key})
