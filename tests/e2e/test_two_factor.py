import pytest
from playwright.sync_api import Page, expect

from tests.accounts.helpers import PASSWORD, enrol, make_user, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_log_in_with_password_then_code_in_french(live_server, page: Page, tmp_path):
    user = make_user("browser@example.com", preferred_language="fr")
    device = enrol(user)

    page.goto(f"{live_server.url}/fr/accounts/login/")
    page.get_by_label("Adresse email").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Code de double authentification")
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ton profil")
    expect(page.get_by_text("Activée", exact=True)).to_be_visible()
    page.screenshot(path=tmp_path / "profile-fr.png", full_page=True)
