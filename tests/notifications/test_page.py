"""The notifications page: both languages, the events each channel carries, addresses refused
into private networks, a webhook's secret shown once and its address never whole."""

import pytest

from notifications.models import Channel, Preferences

pytestmark = pytest.mark.django_db

PAGE = "/{lang}/profile/notifications/"


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "Events sent here"), ("fr", "Événements envoyés ici")],
)
def test_the_page_in_both_languages(person_client, lang, words):
    page = person_client.get(PAGE.format(lang=lang)).content.decode()
    assert words in page  # the email channel, made with its defaults
    assert Channel.objects.get().events == ["run_ended", "risk", "reconciliation", "key"]


def test_switching_events_on_and_off(person, person_client):
    person_client.get(PAGE.format(lang="en"))
    url = "/en/profile/notifications/email/events/"
    response = person_client.post(url, {"email-events": ["fill", "run_started"]}, follow=True)
    assert "Saved: the events this channel carries." in response.content.decode()
    assert Channel.objects.get(user=person).events == ["fill", "run_started"]

    response = person_client.post(url, {"email-events": ["fill", "nonsense"]}, follow=True)
    assert "Nothing was saved: tick events from the list." in response.content.decode()
    assert Channel.objects.get(user=person).events == ["fill", "run_started"]

    person_client.post(url, {})  # every box unticked
    assert Channel.objects.get(user=person).events == []


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://example.com/hook", "The address must start with https://"),
        ("https://127.0.0.1/hook", "This address leads into a private network"),
        ("https://169.254.169.254/latest/meta-data", "This address leads into a private network"),
        ("https://10.1.2.3/hook", "This address leads into a private network"),
    ],
)
def test_an_address_into_a_private_network_is_refused(person_client, url, error):
    response = person_client.post(
        "/en/profile/notifications/webhook/address/", {"webhook-url": url}
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Channel.objects.filter(kind="webhook").exists()


def test_a_discord_address_must_be_discords(person_client):
    response = person_client.post(
        "/en/profile/notifications/discord/address/",
        {"discord-url": "https://example.com/api/webhooks/1/x"},
    )
    assert "This is not a Discord webhook address." in response.content.decode()


def test_a_webhooks_secret_is_shown_once_and_its_address_never_whole(
    person_client, local_addresses
):
    url = "http://127.0.0.1:9/hooks/s3cr3t-path-token"
    page = person_client.post(
        "/en/profile/notifications/webhook/address/", {"webhook-url": url}
    ).content.decode()
    channel = Channel.objects.get(kind="webhook")
    secret = channel.signing_secret.reveal()
    assert secret.startswith("whsec_")
    assert secret in page
    again = person_client.get(PAGE.format(lang="en")).content.decode()
    assert secret not in again
    assert "s3cr3t-path-token" not in again
    assert "Sending to http://127.0.0.1:9/…" in again


def test_nul_and_garbage_in_the_address_get_an_error_not_a_500(person_client):
    for value in ("https://exa\x00mple.com/", "not a url", "x" * 600, "https://a.com:99999/"):
        response = person_client.post(
            "/en/profile/notifications/webhook/address/", {"webhook-url": value}
        )
        assert response.status_code in (200, 400)
    assert not Channel.objects.filter(kind="webhook").exists()


def test_what_is_worth_telling_is_saved_and_bad_input_refused(person, person_client):
    url = "/en/profile/notifications/settings/"
    values = {
        "preferences-drift_threshold_pct": "1.25",
        "preferences-summary_hour": "7",
        "preferences-time_zone": "Asia/Tokyo",
    }
    response = person_client.post(url, values, follow=True)
    assert "Saved: your notification settings." in response.content.decode()
    preferences = Preferences.objects.get(user=person)
    assert (str(preferences.drift_threshold_pct), preferences.summary_hour) == ("1.25", 7)
    assert preferences.time_zone == "Asia/Tokyo"

    bad = {**values, "preferences-summary_hour": "25", "preferences-time_zone": "Nowhere"}
    page = person_client.post(url, bad).content.decode()
    assert "Ensure this value is less than or equal to 23." in page
    assert "Select a valid choice." in page
    preferences.refresh_from_db()
    assert preferences.summary_hour == 7
