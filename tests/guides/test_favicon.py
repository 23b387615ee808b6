"""/favicon.ico, which every browser asks for, is the site's icon; pages link to it."""

import struct
from pathlib import Path

import pytest
from django.conf import settings

ICON_FILE = Path(settings.BASE_DIR) / "noonbarbari" / "static" / "img" / "favicon.ico"


def test_favicon_ico_is_a_real_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body == ICON_FILE.read_bytes()
    # An ICO header: reserved 0, type 1 (icon), then the number of images (16, 32 and 48 px).
    reserved, kind, count = struct.unpack("<HHH", body[:6])
    assert (reserved, kind, count) == (0, 1, 3)
    sizes = {body[6 + 16 * index] for index in range(count)}  # each entry's width byte
    assert sizes == {16, 32, 48}
    assert "max-age=86400" in response["Cache-Control"]


def test_favicon_answers_head_and_refuses_post(client):
    assert client.head("/favicon.ico").status_code == 200
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.django_db
def test_pages_link_the_icon(client):
    html = client.get("/fr/guides/").content.decode()

    assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in html
    assert 'type="image/svg+xml"' in html
