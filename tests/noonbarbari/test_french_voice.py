"""One French voice: every French message a user of our pages can meet says "tu", whether it
comes from our catalogue or from Django's and allauth's (which say "vous" unless we override
them in locale/fr), and the French texts follow French typography."""

import re
from pathlib import Path

import allauth
import pytest
from allauth.account import forms as allauth_forms
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext, ngettext, npgettext, pgettext

from accounts import forms as account_forms
from accounts.adapter import AccountAdapter
from accounts.models import User
from exchanges.forms import ExchangeKeyForm
from exchanges.models import Exchange
from guides.forms import GuideFilterForm
from strategies.forms.catalog import CatalogFilterForm
from strategies.forms.document import NewStrategyForm
from strategies.forms.versions import VersionPairForm
from tests import french_typography
from tests.accounts.helpers import PASSWORD, make_user
from tests.library_messages import Msgid, library_msgids, speaks_vous


def _in_french(msgid: Msgid) -> list[str]:
    if msgid.context and msgid.plural:
        return [npgettext(msgid.context, msgid.singular, msgid.plural, n) for n in (1, 2)]
    if msgid.context:
        return [pgettext(msgid.context, msgid.singular)]
    if msgid.plural:
        return [ngettext(msgid.singular, msgid.plural, n) for n in (1, 2)]
    return [gettext(msgid.singular)]


def test_our_french_catalogue_says_tu():
    msgstrs = list(french_typography.po_msgstrs())
    assert len(msgstrs) > 1000

    assert [text for text in msgstrs if speaks_vous(text)] == []


def test_the_vous_check_sees_vous_and_its_imperatives():
    assert speaks_vous("Votre mot de passe ne peut pas…")
    assert speaks_vous("Saisissez une adresse de courriel valide.")
    assert speaks_vous("Trop de requêtes. Veuillez réessayer.")
    assert speaks_vous("Assurez-vous que cette valeur est correcte.")
    assert not speaks_vous("Saisis une adresse email valide. Chez toi, assez vite.")


def test_django_and_allauth_messages_reach_our_pages_in_tu():
    """Every message of the library modules our forms use, as Django resolves it in French."""
    msgids = library_msgids()
    assert len(msgids) > 100

    with translation.override("fr"):
        in_french = {msgid.singular: _in_french(msgid) for msgid in msgids}

    vous = {msgid: texts for msgid, texts in in_french.items() if any(map(speaks_vous, texts))}
    assert vous == {}


def _form_messages(form: forms.Form) -> list[str]:
    messages = [str(m) for m in getattr(form, "error_messages", {}).values()]
    for field in form.fields.values():
        messages += [str(m) for m in field.error_messages.values()]
        messages += [str(v.message) for v in field.validators if hasattr(v, "message")]
        messages += [str(field.help_text), str(field.label or "")]
    return messages


def _our_forms() -> list[forms.Form]:
    request = RequestFactory().get("/fr/")
    user = User(email="someone@example.com")
    return [
        account_forms.SignupForm(),
        account_forms.LoginForm(request=request),
        account_forms.CodeForm(),
        account_forms.ProfileForm(instance=user),
        allauth_forms.ResetPasswordForm(),
        allauth_forms.ResetPasswordKeyForm(user=user, temp_key="key"),
        allauth_forms.ChangePasswordForm(user=user),
        allauth_forms.AddEmailForm(user=user),
        allauth_forms.ChangeEmailForm(email="someone@example.com"),
        allauth_forms.ReauthenticateForm(user=user),
        ExchangeKeyForm(user=user, exchange=Exchange.objects.get(slug="kraken")),
        GuideFilterForm(),
        CatalogFilterForm(),
        NewStrategyForm(),
        VersionPairForm(numbers=[1, 2]),
    ]


@pytest.mark.django_db
def test_every_message_of_our_forms_says_tu():
    with translation.override("fr"):
        messages = [m for form in _our_forms() for m in _form_messages(form)]
        messages += [str(m) for m in AccountAdapter().error_messages.values()]
        messages += password_validation.password_validators_help_texts()
        for password in ("123", "12345678", "password", "someone@example.com"):
            try:
                password_validation.validate_password(password, User(email="someone@example.com"))
            except forms.ValidationError as error:
                messages += error.messages
    assert len(messages) > 100

    assert [m for m in messages if speaks_vous(m)] == []


@pytest.mark.django_db
def test_signup_errors_in_french_say_tu(client):
    response = client.post(
        "/fr/accounts/signup/",
        {"email": "not an address", "password1": "12345678", "password2": "another one"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Saisis une adresse email valide." in html
    assert not speaks_vous(html)


# Templates of allauth features this site does not turn on: no user ever receives them.
UNUSED_FEATURE_TEMPLATES = {
    "account/email/email_confirm_message.txt": "ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED",
    "account/email/login_code_message.txt": "ACCOUNT_LOGIN_BY_CODE_ENABLED",
    "account/email/password_reset_code_message.txt": "ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED",
    "account/messages/phone_verified.txt": "ACCOUNT_PHONE_VERIFICATION_ENABLED",
    "account/messages/phone_verification_sent.txt": "ACCOUNT_PHONE_VERIFICATION_ENABLED",
}
_EMAIL_CONTEXT = {
    "email": "someone@example.com",
    "deleted_email": "old@example.com",
    "from_email": "old@example.com",
    "to_email": "new@example.com",
    "user_display": "Someone",
    "password_reset_url": "https://example.com/reset/",
    "activate_url": "https://example.com/confirm/",
    "signup_url": "https://example.com/signup/",
    "ip": "192.0.2.1",
    "user_agent": "Firefox",
    "current_site": {"domain": "example.com", "name": "Noon Barbari"},
}


def _allauth_message_templates() -> list[str]:
    root = Path(allauth.__file__).parent / "templates"
    names = sorted(
        path.relative_to(root).as_posix()
        for folder in ("account/email", "account/messages")
        for path in (root / folder).iterdir()
        if path.suffix in {".txt", ".html"}
    )
    return [name for name in names if name not in UNUSED_FEATURE_TEMPLATES]


def test_allauth_emails_and_flash_messages_say_tu():
    """The emails and messages allauth sends, as the template loader resolves them (ours
    first), rendered in French."""
    for setting in set(UNUSED_FEATURE_TEMPLATES.values()):
        assert not getattr(settings, setting, False), f"{setting} is on: translate its templates"
    names = _allauth_message_templates()
    assert len(names) > 20

    with translation.override("fr"):
        rendered = {name: get_template(name).render(_EMAIL_CONTEXT) for name in names}

    assert [name for name, text in rendered.items() if speaks_vous(text)] == []


# --- French typography -------------------------------------------------------------------------


def test_the_french_catalogue_follows_french_typography():
    msgstrs = list(french_typography.po_msgstrs())
    assert msgstrs

    assert [p for text in msgstrs for p in french_typography.problems(text)] == []


@pytest.mark.parametrize(
    "path", french_typography.content_files(), ids=lambda path: path.parent.name
)
def test_the_french_content_follows_french_typography(path):
    texts = list(french_typography.toml_texts(path))
    assert texts

    assert [(key, p) for key, text in texts for p in french_typography.problems(text)] == []


NB, THIN = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Attention : lis ceci ; vraiment ? Oui !",
            f"Attention{NB}: lis ceci{THIN}; vraiment{THIN}? Oui{THIN}!",
        ),
        ("Il a dit « bonjour ».", f"Il a dit «{NB}bonjour{NB}»."),
        ("Vraiment?", f"Vraiment{THIN}?"),
        (
            "Plus de 10 000 bougies, 1 000 000 au total.",
            f"Plus de 10{THIN}000 bougies, 1{THIN}000{THIN}000 au total.",
        ),
        ("le nom « %(name)s »", f"le nom «{NB}%(name)s{NB}»"),
        ("%(value)s : %(word)s", f"%(value)s{NB}: %(word)s"),
    ],
)
def test_the_fixer_puts_no_break_spaces_in_prose(text, expected):
    assert french_typography.fix(text) == expected
    assert french_typography.problems(text)
    assert french_typography.problems(expected) == []


@pytest.mark.parametrize(
    "text",
    [
        "à 10:00 UTC, un ratio 3:1",
        "une règle avec direction: short est refusée",
        "la clé `EAPI:Invalid key` ou `a ; b ? c`",
        "voir https://example.com/a?b=c!d ou [le guide](/fr/guides/?q=x)",
        "```\nrisk:\n  stop_loss : 0.05\n```",
        '{alias: {kind, timeframe}} et &lt;b&gt; et <a href="%(url)s">lien</a>',
        "les erreurs 40006, 10003 et 0,20 %",
    ],
)
def test_the_fixer_leaves_code_urls_times_and_placeholders_alone(text):
    assert french_typography.fix(text) == text
    assert french_typography.problems(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l'ordre d'achat n'est pas exécuté", "l’ordre d’achat n’est pas exécuté"),
        ("Copie l'**API Key** et l'_ID_", "Copie l’**API Key** et l’_ID_"),
        ("aujourd'hui, qu'il s'agisse d'1h", "aujourd’hui, qu’il s’agisse d’1h"),
        ("la clé d'%(exchange)s", "la clé d’%(exchange)s"),
        (
            "l'<code>EMA</code> d'<a href='/fr/'>ici</a>",
            "l’<code>EMA</code> d’<a href='/fr/'>ici</a>",
        ),
    ],
)
def test_the_fixer_puts_typographic_apostrophes_in_prose(text, expected):
    assert french_typography.fix(text) == expected
    assert french_typography.problems(text)
    assert french_typography.problems(expected) == []


@pytest.mark.parametrize(
    "text",
    [
        "la commande `git log --format='%h'` et `l'ordre`",
        "<code>it's</code> et <a href='/fr/guides/'>le guide</a>",
        "{% translate 'Run' %} et %(name)s",
    ],
)
def test_the_fixer_leaves_quotes_in_code_tags_and_urls_alone(text):
    assert french_typography.fix(text) == text
    assert french_typography.problems(text) == []


def test_a_straight_quote_that_is_not_an_elision_is_reported_not_guessed():
    text = "le mot 'papier' seul"

    assert french_typography.fix(text) == text
    assert len(french_typography.problems(text)) == 2


def test_the_content_fixer_keeps_toml_quotes_and_the_exchanges_own_words(tmp_path):
    (tmp_path / "en.toml").write_text(
        '[[troubleshooting]]\nerror = "API key doesn\'t exist"\n'
        '[[troubleshooting]]\nerror = "Why is my IP refused?"\n',
        encoding="utf-8",
    )
    french = tmp_path / "fr.toml"
    french.write_text(
        "why = '''\nN'active jamais l'option.\n'''\nsteps = [\n  '''Ouvre l'onglet.''',\n]\n"
        '[[troubleshooting]]\nerror = "API key doesn\'t exist"\n'
        '[[troubleshooting]]\nerror = "Pourquoi l\'IP est-elle refusée ?"\n',
        encoding="utf-8",
    )

    assert french_typography.fix_toml(french)

    assert french.read_text(encoding="utf-8") == (
        "why = '''\nN’active jamais l’option.\n'''\nsteps = [\n  '''Ouvre l’onglet.''',\n]\n"
        '[[troubleshooting]]\nerror = "API key doesn\'t exist"\n'
        f'[[troubleshooting]]\nerror = "Pourquoi l’IP est-elle refusée{THIN}?"\n'
    )
    assert [text for _key, text in french_typography.toml_texts(french)] == [
        "N’active jamais l’option.\n",
        "Ouvre l’onglet.",
        f"Pourquoi l’IP est-elle refusée{THIN}?",
    ]


# --- Addressing every reader ------------------------------------------------------------------

# "Tu es connecté", "tu es prêt": a participle or adjective that takes the reader's gender.
GENDERED = re.compile(
    r"\b[Tt]u (?:es|étais|seras|sois|serais|as été|restes)(?: \w+)?"
    r" (?:\w+(?:é|i|u|is|it|ert|eint)|prêt|sûr|certain|seul)\b(?!·)"
)


def _french_texts() -> list[str]:
    texts = list(french_typography.po_msgstrs())
    for path in french_typography.content_files():
        texts += [text for _key, text in french_typography.toml_texts(path)]
    return texts


def test_french_texts_address_the_reader_without_a_gender():
    texts = _french_texts()
    assert len(texts) > 1000
    assert GENDERED.search("Tu es connecté.")
    assert GENDERED.search("Ouvre-le dans le navigateur où tu es connecté, sinon")
    assert not GENDERED.search("Tu es connecté·e.")

    assert [match.group() for text in texts for match in GENDERED.finditer(text)] == []


@pytest.mark.django_db
def test_the_login_message_works_for_everyone(client):
    make_user("reader@example.com", preferred_language="fr")

    response = client.post(
        "/fr/accounts/login/",
        {"login": "reader@example.com", "password": PASSWORD},
        follow=True,
    )

    html = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/fr/")
    assert "Connexion réussie." in html  # neither "connecté" nor "connectée": for everyone
