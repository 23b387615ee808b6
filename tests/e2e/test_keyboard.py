"""Four forms completed without a mouse, two in English and two in French: sign-up, an
exchange key, a copied strategy's parameters and document, a backtest.

From the top of each page, Tab reaches every field of the form in order; keys fill it (typing,
arrows, Space); Enter or Space on its button sends it. Every stop on the way shows where the
focus is, and every field has a label assistive technologies read. Only the keyboard touches
the page: no click, fill or focus on an element."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import Page, expect

from accounts.models import User
from exchanges import retry
from exchanges.models import ExchangeKey
from strategies.models import Backtest, Strategy
from tests.accounts.helpers import PASSWORD, enrol, make_user
from tests.e2e.browsing import sign_in
from tests.strategies.backtest_run_helpers import day_ms, days_ago
from tests.strategies.mine_helpers import copied

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Tab presses allowed before the element sought: the header's links, then the page.
MAX_STOPS = 80
# A date input keeps the focus through its parts (month, day, year): Tab goes past them.
MAX_PARTS = 4

# The sides of the focused element's outline that an ancestor's overflow (hidden, clip,
# auto, scroll) hides entirely: an outline drawn where a box clips it shows nothing.
CLIPPED_SIDES = """function clippedSides(el, style, box) {
  const width = parseFloat(style.outlineWidth) || 0;
  const out = width + (parseFloat(style.outlineOffset) || 0);
  const ring = {left: box.left - out, top: box.top - out, right: box.right + out,
                bottom: box.bottom + out};
  const sides = {
    top: {...ring, bottom: ring.top + width},
    bottom: {...ring, top: ring.bottom - width},
    left: {...ring, right: ring.left + width},
    right: {...ring, left: ring.right - width},
  };
  const clip = {left: -Infinity, top: -Infinity, right: Infinity, bottom: Infinity};
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    const s = getComputedStyle(a);
    const r = a.getBoundingClientRect();
    if (s.overflowX !== "visible") {
      clip.left = Math.max(clip.left, r.left + parseFloat(s.borderLeftWidth));
      clip.right = Math.min(clip.right, r.right - parseFloat(s.borderRightWidth));
    }
    if (s.overflowY !== "visible") {
      clip.top = Math.max(clip.top, r.top + parseFloat(s.borderTopWidth));
      clip.bottom = Math.min(clip.bottom, r.bottom - parseFloat(s.borderBottomWidth));
    }
  }
  return Object.entries(sides).filter(([, side]) =>
    Math.min(side.right, clip.right) - Math.max(side.left, clip.left) <= 0
    || Math.min(side.bottom, clip.bottom) - Math.max(side.top, clip.top) <= 0
  ).map(([name]) => name);
}
"""

# What the browser says about the focused element: which it is, where it stands against the
# form (a CSS selector, or null), its labels, and how its focus shows.
FOCUSED = (
    "(form) => {\n"
    + CLIPPED_SIDES
    + """
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const text = node => (node ? (node.innerText || node.textContent || "") : "").trim();
  const path = node => node.parentElement
    ? path(node.parentElement) + ">" + [...node.parentElement.children].indexOf(node) : "";
  const labelledby = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const ownForm = form ? document.querySelector(form) : null;
  return {
    path: path(el),
    tag: el.tagName.toLowerCase(),
    type: (el.getAttribute("type") || "").toLowerCase(),
    name: el.getAttribute("name") || "",
    text: text(el).slice(0, 80),
    html: el.outerHTML.slice(0, 200),
    in_form: !!ownForm && ownForm.contains(el),
    after_form: !!ownForm && !ownForm.contains(el)
      && !!(ownForm.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING),
    labels: {
      label_for: [...(el.labels || [])].map(text).join(" "),
      aria_label: (el.getAttribute("aria-label") || "").trim(),
      aria_labelledby: labelledby.map(id => text(document.getElementById(id))).join(" ").trim(),
    },
    outline_style: style.outlineStyle,
    outline_width: parseFloat(style.outlineWidth) || 0,
    outline_color: style.outlineColor,
    box_shadow: style.boxShadow,
    width: box.width,
    height: box.height,
    clipped_sides: clippedSides(el, style, box),
  };
}"""
)

# The fields a form shows, in the document's order: what Tab must reach, one by one.
FORM_FIELDS = """(form) => [...document.querySelector(form).elements]
  .filter(el => ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName) && el.type !== "hidden")
  .filter(el => el.getClientRects().length > 0)
  .map(el => el.name)"""

TRANSPARENT = ("transparent", "rgba(0, 0, 0, 0)")


@dataclass(frozen=True)
class Stop:
    """An element the Tab key reached."""

    path: str
    tag: str
    type: str
    name: str
    text: str
    html: str
    in_form: bool
    after_form: bool
    labels: dict[str, str]
    outline_style: str
    outline_width: float
    outline_color: str
    box_shadow: str
    width: float
    height: float
    clipped_sides: list[str]

    @property
    def is_field(self) -> bool:
        return self.tag in ("input", "select", "textarea") and self.type != "hidden"


def assert_focus_is_visible(stop: Stop) -> None:
    """The focused element is on the page, and outlined (in a colour, on no side clipped
    away by an ancestor) or ringed with a box-shadow."""
    assert min(stop.width, stop.height) > 0, f"the focus is on an invisible element: {stop.html}"
    outlined = (
        stop.outline_style != "none"
        and stop.outline_width > 0
        and stop.outline_color not in TRANSPARENT
    )
    ringed = stop.box_shadow not in ("", "none")
    assert outlined or ringed, (
        f"no visible focus (outline: {stop.outline_style} {stop.outline_width}px "
        f"{stop.outline_color}; box-shadow: {stop.box_shadow}) on {stop.html}"
    )
    if not ringed:
        assert not stop.clipped_sides, (
            f"the focus outline is clipped by an ancestor's overflow "
            f"({', '.join(stop.clipped_sides)}) on {stop.html}"
        )


def assert_labelled(stop: Stop) -> None:
    """A <label for>, aria-label or aria-labelledby with words in it."""
    assert any(stop.labels.values()), f"no accessible label on {stop.html}"


def tab(page: Page, previous: Stop | None, form: str | None = None) -> Stop | None:
    """Press Tab until the focus moves to another element (past a date input's parts), and
    check that the focus shows there. None: Tab went past the page's last element."""
    for _ in range(MAX_PARTS):
        page.keyboard.press("Tab")
        found = page.evaluate(FOCUSED, form)
        if not found:
            return None
        stop = Stop(**found)
        if previous is None or stop.path != previous.path:
            assert_focus_is_visible(stop)
            return stop
    raise AssertionError(f"Tab stays on {stop.html}")


def follow(page: Page, link: str) -> None:
    """From the top of the page, Tab to the link named `link` and press Enter on it."""
    stop = None
    for _ in range(MAX_STOPS):
        stop = tab(page, stop)
        assert stop, f"no link {link!r} reached before the end of the page"
        if stop.tag == "a" and stop.text == link:
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError(f"no link {link!r} within {MAX_STOPS} Tab presses")


Keys = Callable[[Page], None]


def typed(text: str) -> Keys:
    return lambda page: page.keyboard.type(text)


def pressed(*keys: str) -> Keys:
    def press(page: Page) -> None:
        for key in keys:
            page.keyboard.press(key)

    return press


def then(*steps: Keys) -> Keys:
    def run(page: Page) -> None:
        for step in steps:
            step(page)

    return run


def complete(
    page: Page,
    fields: dict[str, Keys | None],
    button: str,
    key: str = "Enter",
    form: str = "main form.form",
) -> None:
    """From the top of the page, Tab to each field of `form` and press its keys (None: leave
    it as it is), then press `key` on the button named `button`.

    `fields` lists the form's fields in the order Tab must reach them: it fails when a field
    is skipped, comes out of order or has no label, and when a stop shows no focus."""
    reached: list[str] = []
    stop = None
    for _ in range(MAX_STOPS):
        stop = tab(page, stop, form)
        assert stop, f"{button!r} not reached before the end of the page, after {reached}"
        assert not stop.after_form, f"Tab left the form before {button!r}, after {reached}"
        if stop.in_form and stop.is_field:
            assert_labelled(stop)
            reached.append(stop.name)
            assert stop.name in fields, f"field {stop.name!r} reached after {reached[:-1]}"
            keys = fields[stop.name]
            if keys:
                keys(page)
        elif stop.in_form and stop.tag == "button" and stop.text == button:
            break
    else:
        raise AssertionError(f"{button!r} not reached within {MAX_STOPS} Tab presses: {reached}")
    assert reached == list(fields), f"Tab reached {reached}"
    assert reached == page.evaluate(FORM_FIELDS, form), "a field of the form is out of Tab's way"
    page.keyboard.press(key)


def us_date(day: date) -> str:
    """The keys for a date in a date input of an en-US browser: month, day, year."""
    return f"{day:%m%d%Y}"


# 1. Sign-up, in French; Space on the button.


@pytest.mark.browser_context_args(locale="fr-FR")
def test_sign_up_with_the_keyboard_in_french(live_server, page: Page, steps):
    email = "clavier@example.com"
    page.goto(f"{live_server.url}/fr/accounts/signup/")
    with steps("the sign-up form by keyboard"):
        complete(
            page,
            {
                "email": typed(email),
                "display_name": typed("Clavier"),
                "password1": typed(PASSWORD),
                "password2": typed(PASSWORD),
            },
            button="S’inscrire",
            key="Space",
        )
    with steps("confirm your email address"):
        expect(page.get_by_role("heading", level=1)).to_have_text("Confirme ton adresse e-mail")
    user = User.objects.get(email=email)
    assert user.display_name == "Clavier"
    assert user.check_password(PASSWORD)


# 2. A Kraken key, in English, for a user who passed the second factor; Enter on the button.


@pytest.mark.browser_context_args(locale="en-US")
def test_add_a_key_with_the_keyboard(live_server, page: Page, steps, venue, settings):
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    user = make_user("keys-keyboard@example.com")
    sign_in(page, live_server, user, device=enrol(user))
    demo = venue.key("spot-full")
    expiry = date.today() + timedelta(days=180)

    page.goto(f"{live_server.url}/en/profile/keys/add/kraken/")
    with steps("the key form by keyboard"):
        complete(
            page,
            {
                "label": typed("keyboard"),
                "api_key": typed(demo.key),
                "secret": typed(demo.secret),
                "expires_on": typed(us_date(expiry)),
            },
            button="Save the key",
        )
    with steps("the key saved and tested"):
        expect(page.get_by_role("heading", level=1)).to_have_text("keyboard")
        expect(page.get_by_text("✓ Connected")).to_be_visible()
    key = ExchangeKey.objects.get(label="keyboard")
    assert (key.user, key.expires_on) == (user, expiry)


# 3. A copy of a catalog strategy, in French: its parameters form (arrows on a select), then
# its document in the text editor.


def latest_document(strategy: Strategy) -> str:
    return strategy.versions.order_by("number").last().document


@pytest.mark.browser_context_args(locale="fr-FR")
def test_edit_a_strategy_with_the_keyboard_in_french(live_server, page: Page, steps):
    call_command("load_strategies", verbosity=0)  # a transactional test starts empty
    user = make_user("strategies-keyboard@example.com", preferred_language="fr")
    strategy = copied(user, "ema-crossover")
    sign_in(page, live_server, user)

    with translation.override("fr"):
        page.goto(live_server.url + strategy.get_absolute_url())
    with steps("the parameters form by keyboard"):
        follow(page, "Modifier les paramètres")
        complete(
            page,
            {
                "indicators.ema_fast.period": typed("12"),
                "indicators.ema_slow.period": None,
                "risk.stop_loss_pct": None,
                "risk.take_profit_pct": typed("10"),
                "risk.take_profit_r": None,
                "risk.trailing_stop_pct": None,
                "risk.cooldown_bars": None,
                "sizing.kind": pressed("ArrowDown"),  # a fixed amount
                "sizing.fraction": None,
                "sizing.amount": typed("250"),
                "sizing.risk_pct": None,
            },
            button="Enregistrer comme nouvelle version",
            key="Space",
        )
    with steps("version 2 saved"):
        expect(page.locator("p.lead")).to_contain_text("Version 2")
    lines = latest_document(strategy).splitlines()
    fast = next(number for number, line in enumerate(lines) if "ema_fast:" in line)
    assert "period: 12" in lines[fast]
    assert "take_profit_pct: 0.1" in latest_document(strategy)
    assert "amount: 250" in latest_document(strategy)

    with steps("the document editor by keyboard"):
        follow(page, "Modifier le document")
        # In the text: down to the fast EMA's line, select it, type it with another period.
        edit = then(
            pressed("Control+Home", *["ArrowDown"] * fast, "Home", "Shift+End"),
            typed(lines[fast].replace("period: 12", "period: 9")),
        )
        complete(page, {"text": edit}, button="Enregistrer comme nouvelle version")
    with steps("version 3 saved"):
        expect(page.locator("p.lead")).to_contain_text("Version 3")
    assert "period: 9" in latest_document(strategy).splitlines()[fast]


# 4. A backtest of a catalog strategy, from its page's "Backtest it", in English; Space on the
# button.


@pytest.mark.browser_context_args(locale="en-US")
def test_run_a_backtest_with_the_keyboard(
    live_server, page: Page, steps, venue, settings, monkeypatch
):
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    call_command("load_strategies", verbosity=0)
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    sign_in(page, live_server, make_user("backtest-keyboard@example.com"))

    page.goto(f"{live_server.url}/en/strategies/ema-crossover/")
    with steps("the backtest form by keyboard"):
        follow(page, "Backtest it")
        complete(
            page,
            {
                "strategy": None,  # the strategy of the page
                "exchange": typed("Kraken"),  # a select's type-ahead
                "symbol": typed("BTC/USD"),
                "timeframe": None,
                "start": typed(us_date(days_ago(3))),
                "end": typed(us_date(days_ago(1))),
                "capital": None,
                "fee": None,
                "slippage_bps": None,
                "max_volume_share": None,
                "tie": None,
            },
            button="Run the backtest",
            key="Space",
        )
    with steps("the report"):
        expect(page.get_by_role("heading", name="Statistics")).to_be_visible()
    backtest = Backtest.objects.get()
    assert (backtest.catalog_entry.slug, backtest.exchange.slug, backtest.symbol) == (
        "ema-crossover",
        "kraken",
        "BTC/USD",
    )
    assert (backtest.start_ms, backtest.end_ms) == (day_ms(days_ago(3)), day_ms(days_ago(0)))
