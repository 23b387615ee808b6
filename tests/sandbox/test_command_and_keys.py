"""The keys file and the management command."""

import json
import types
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from exchanges.management.commands import sandbox_venue
from exchanges.sandbox import load_keys, parse_keys
from exchanges.sandbox.keys import KeysFileError


def test_the_demo_keys_cover_the_situations_a_key_check_meets():
    keys = {k.label: k for k in load_keys()}
    assert "query-funds" in keys["spot-full"].permissions
    assert "withdraw-funds" not in keys["spot-full"].permissions
    # The guide's "never" permissions (Deposit Funds is add-funds) are on no key meant as good.
    for label in ("spot-full", "spot-no-query-funds", "spot-expired", "spot-ip-restricted"):
        assert "add-funds" not in keys[label].permissions, label
    assert "query-funds" not in keys["spot-no-query-funds"].permissions
    assert "withdraw-funds" in keys["spot-withdraw"].permissions
    assert keys["spot-expired"].is_expired(1_800_000_000)
    assert keys["spot-ip-restricted"].ip_allowlist == ("203.0.113.7",)
    assert keys["futures-read-only"].permissions == {"general-read-only"}
    assert "withdrawal" in keys["futures-withdraw"].permissions
    assert all(k.key.startswith("SANDBOX") for k in keys.values())


def test_keys_file_errors_and_aliases():
    entry = {
        "key": "k",
        "secret": "c2VjcmV0",
        "venue": "spot",
        "permissions": ["cancel-close-trades"],
        "ip_allowlist": ["10.0.0.0/8"],
        "expires_at": "2030-01-01",
    }
    (key,) = parse_keys({"keys": [entry]})
    assert key.permissions == {"close-trades"}
    assert key.allows_ip("10.1.2.3")
    assert not key.allows_ip("192.0.2.1")
    for broken, message in [
        ({**entry, "venue": "margin"}, "venue"),
        ({**entry, "secret": "not base64!"}, "base64"),
        ({**entry, "permissions": ["fly"]}, "unknown spot permission"),
        ({**entry, "ip_allowlist": ["nowhere"]}, "CIDR"),
        ({**entry, "expires_at": "soon"}, "ISO"),
    ]:
        with pytest.raises(KeysFileError, match=message):
            parse_keys({"keys": [broken]})
    with pytest.raises(KeysFileError, match="twice"):
        parse_keys({"keys": [entry, entry]})


def _interrupting_threading(monkeypatch):
    def wait(self):
        raise KeyboardInterrupt

    fake = types.SimpleNamespace(
        Event=lambda: types.SimpleNamespace(wait=types.MethodType(wait, object()))
    )
    monkeypatch.setattr(sandbox_venue, "threading", fake)


def test_the_command_prints_urls_and_keys(monkeypatch):
    _interrupting_threading(monkeypatch)
    out = StringIO()
    call_command("sandbox_venue", "--port", "0", stdout=out)
    text = out.getvalue()
    assert "Sandbox venue listening on http://127.0.0.1:" in text
    assert '"charts": "http://127.0.0.1:' in text
    spot_full = next(k for k in load_keys() if k.label == "spot-full")
    assert spot_full.key in text
    assert spot_full.secret in text
    assert "Stopping the sandbox venue." in text


def test_the_command_refuses_a_broken_keys_file(tmp_path):
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"keys": [{"key": "k"}]}))
    with pytest.raises(CommandError, match="Cannot read the keys file"):
        call_command("sandbox_venue", "--port", "0", "--keys", str(path))
