"""load_guides: the versioned content reaches the database, and staff edits are respected."""

import shutil

import pytest
from django.core.management import CommandError, call_command
from django.core.serializers import serialize

from exchanges.models import Exchange
from guides.content_files import CONTENT_DIR
from guides.models import Guide, GuideItem, GuideTranslation, ItemKind, Step

pytestmark = pytest.mark.django_db

EXCHANGES = [
    "binance",
    "binance-usdm",
    "bitfinex",
    "bitget",
    "bybit",
    "coinbase",
    "gate",
    "kraken",
    "kraken-futures",
    "kucoin",
    "okx",
]


def database_state() -> str:
    return "".join(
        serialize("json", model.objects.order_by("pk"))
        for model in (Exchange, Guide, GuideTranslation, GuideItem)
    )


def load(*args: str, content_dir=CONTENT_DIR, capsys=None) -> str:
    call_command("load_guides", *args, content_dir=content_dir)
    return capsys.readouterr().out if capsys else ""


def test_every_exchange_has_a_published_guide_in_both_languages():
    assert sorted(Exchange.objects.values_list("slug", flat=True)) == EXCHANGES
    assert Guide.objects.published().count() == 11
    assert GuideTranslation.objects.filter(language="en").count() == 11
    assert GuideTranslation.objects.filter(language="fr").count() == 11


def test_facts_and_credentials_come_from_the_files_and_ccxt():
    kraken = Exchange.objects.get(slug="kraken")
    assert kraken.ccxt_id == "kraken"
    assert str(kraken.spot_maker_fee.normalize()) == "0.25"
    assert kraken.sister == Exchange.objects.get(slug="kraken-futures")
    assert Exchange.objects.get(slug="kraken-futures").sister == kraken
    assert kraken.credentials == ["apiKey", "secret"]
    for slug in ("okx", "kucoin", "bitget"):
        assert Exchange.objects.get(slug=slug).credentials == ["apiKey", "secret", "password"]


def test_binance_usd_m_futures_is_a_futures_venue_reached_by_binance_keys():
    usdm = Exchange.objects.get(slug="binance-usdm")
    assert usdm.ccxt_id == "binanceusdm"
    assert (usdm.spot_trading, usdm.futures_trading) == (False, True)
    # A futures-only venue records its own entry-tier fees: 0.02% maker, 0.05% taker.
    assert str(usdm.spot_maker_fee.normalize()) == "0.02"
    assert str(usdm.spot_taker_fee.normalize()) == "0.05"
    assert usdm.ip_whitelist == "required"
    assert usdm.credentials == ["apiKey", "secret"]
    # One Binance key reaches both markets: neither names the other as a venue whose keys
    # are separate, unlike Kraken's two venues.
    assert usdm.sister is None
    assert Exchange.objects.get(slug="binance").sister is None


def test_loading_twice_changes_nothing(capsys):
    before = database_state()

    output = load(capsys=capsys)

    assert database_state() == before
    assert "0 created, 0 updated" in output
    assert "0 kept" in output


def test_staff_edits_are_kept_and_reported_unless_forced(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    french = GuideTranslation.objects.get(guide__exchange__slug="kraken", language="fr")
    french.why = "Texte relu par l'équipe."
    french.save()
    # The file changes too: without the edit, the loader would take it.
    path = content / "kraken" / "fr.toml"
    path.write_text(path.read_text().replace("Connecte Kraken", "Relie Kraken", 1))

    output = load(content_dir=content, capsys=capsys)

    french.refresh_from_db()
    assert french.why == "Texte relu par l'équipe."
    assert "Kept guide kraken (fr)" in output
    assert "--force" in output

    load("--force", content_dir=content)

    french.refresh_from_db()
    assert french.title.startswith("Relie Kraken")
    assert french.why != "Texte relu par l'équipe."


def test_a_changed_file_updates_rows_that_staff_left_alone(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    path = content / "binance" / "exchange.toml"
    text = path.read_text()
    path.write_text(text.replace("position = ", "position = 1", 1))

    output = load(content_dir=content, capsys=capsys)

    assert "1 updated" in output
    assert Guide.objects.get(exchange__slug="binance").position >= 10


def test_staff_edit_of_a_list_item_is_detected(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    step = Step.objects.filter(
        translation__guide__exchange__slug="okx", translation__language="en"
    ).first()
    step.text = "Our own wording."
    step.save()
    path = content / "okx" / "en.toml"
    path.write_text(path.read_text().replace("title = ", 'title = "New" #', 1))

    output = load(content_dir=content, capsys=capsys)

    assert "Kept guide okx (en)" in output
    assert GuideItem.objects.filter(kind=ItemKind.STEP, text="Our own wording.").exists()


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("en.toml", 'level = "never"', 'level = "sometimes"', "permission level"),
        ("fr.toml", 'anchor = "eapi-invalid-key"', 'anchor = "eapi-cle-invalide"', "must match"),
        ("exchange.toml", 'region = "us_friendly"', 'region = "moon"', "region must be one of"),
        ("exchange.toml", 'ccxt_id = "kraken"', 'ccxt_id = "nosuchexchange"', "ccxt has no"),
        ("en.toml", 'title = "', 'titel = "', "unknown titel"),
        ("exchange.toml", 'spot_maker_fee = "0.25"', 'spot_maker_fee = "cheap"', "decimal"),
    ],
)
def test_broken_content_is_refused_with_the_file_and_the_reason(tmp_path, file, old, new, message):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR / "kraken", content / "kraken")
    path = content / "kraken" / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    before = database_state()

    with pytest.raises(CommandError, match=message) as error:
        load(content_dir=content)

    assert "kraken" in str(error.value)
    assert database_state() == before


def test_a_key_after_a_table_is_explained(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR / "kraken", content / "kraken")
    path = content / "kraken" / "en.toml"
    path.write_text(path.read_text() + '\nwhy_extra = "oops"\n')

    with pytest.raises(CommandError, match="put top-level keys first"):
        load(content_dir=content)
