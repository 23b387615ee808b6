"""The README tells an operator what they need, as the code does it."""

import re

from django.conf import settings

from exchanges.sandbox import load_keys

README = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")


def test_the_readme_lists_the_demo_keys_as_they_are():
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| ([^|]+) \|", README, re.MULTILINE))
    keys = load_keys()
    assert keys

    assert set(rows) == {key.label for key in keys}
    # Deposit Funds ("add-funds") is on the keys the README says have it, and on no other.
    assert {key.label for key in keys if "add-funds" in key.permissions} == {
        label for label, permissions in rows.items() if "Deposit Funds" in permissions
    }


def test_the_readme_says_to_change_site_domain_with_port():
    row = next(line for line in README.splitlines() if line.startswith("| `SITE_DOMAIN`"))

    assert "PORT" in row


def test_the_readme_says_how_staff_get_into_the_admin():
    assert "manage.py createsuperuser --email" in README
    staff = README[README.index("To create a staff user") :]
    assert "/<lang>/profile/two-factor/enable/" in staff[:800]
    assert "docs/architecture.md" in README[:1200]
    assert (settings.BASE_DIR / "docs" / "architecture.md").exists()
