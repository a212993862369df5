"""Finding: webhook SSRF. Only public addresses are called, at save and at send (issue 14)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from desk.domain import network_addresses
from desk.services.notify import webhooks
from tests.support.receivers import start_webhook_receiver

REFUSED = [
    "http://127.0.0.1/",
    "http://127.0.0.1:6379/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://192.168.1.1/",
    "http://172.16.0.1/",
    "http://[::1]/",
    "http://0.0.0.0/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://127.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::a00:1]/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://localhost:8080/",
    "http://100.64.0.1/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_internal_addresses_are_refused_at_save(url: str) -> None:
    errors = webhooks.validate("CRM", url, [])
    assert errors.get("url") in ("not_public", "unresolvable"), url


@pytest.mark.parametrize("url", REFUSED)
def test_internal_addresses_are_refused_at_send(url: str) -> None:
    request = webhooks.WebhookRequest(url, "whsec_x", b"{}", "case.closed", 1)
    with pytest.raises(webhooks.WebhookFailed, match="destination refused"):
        webhooks.post(request, timeout=0.5)


@pytest.mark.parametrize(
    ("text", "public"),
    [("93.184.216.34", True), ("2001:4860:4860::8888", True), ("8.8.8.8", True)]
    + [(address, False) for address in ("127.0.0.1", "::1", "::ffff:10.0.0.1", "0.0.0.0")],
)
def test_which_addresses_are_public(text: str, public: bool) -> None:
    assert network_addresses.is_public(ipaddress.ip_address(text)) is public


def test_a_public_name_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    answer = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *_a, **_k: answer)
    assert webhooks.validate("CRM", "https://crm.example.com/hook", []) == {}


def test_dns_rebinding_is_caught_at_send(monkeypatch: pytest.MonkeyPatch) -> None:
    """The name resolved to a public address when saved; now it answers 127.0.0.1."""
    answers = iter(
        [
            [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80))],
            [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80))],
        ]
    )
    monkeypatch.setattr(socket, "getaddrinfo", lambda *_a, **_k: next(answers))
    url = "http://rebind.example.com/hook"
    assert webhooks.validate("CRM", url, []) == {}
    request = webhooks.WebhookRequest(url, "whsec_x", b"{}", "case.closed", 1)
    with pytest.raises(webhooks.WebhookFailed) as failed:
        webhooks.post(request, timeout=0.5)
    assert failed.value.permanent


def test_the_send_connects_to_the_address_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """However often the name is looked up afterwards, the connection goes where checked."""
    receiver = start_webhook_receiver()
    port = int(receiver.server.server_address[1])
    try:
        checked = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        calls: list[Any] = []

        def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
            if host == "127.0.0.1":  # connecting to the literal address checked
                return real(host, *args, **kwargs)
            calls.append(host)
            if len(calls) > 1:
                raise AssertionError("the name was looked up again after the check")
            return checked

        real = socket.getaddrinfo

        monkeypatch.setattr(socket, "getaddrinfo", resolve)
        request = webhooks.WebhookRequest(
            f"http://hook.test:{port}/in", "whsec_x", b"{}", "case.closed", 1
        )
        assert webhooks.post(request, timeout=2, allow_hosts=["hook.test"]) == 204
        assert receiver.calls_to("/in")[0].headers["Host"] == f"hook.test:{port}"
    finally:
        receiver.stop()


def test_the_allow_list_lets_a_test_receiver_through() -> None:
    assert webhooks.validate("CRM", "http://127.0.0.1:9/", [], ["127.0.0.1"]) == {}
    assert network_addresses.allowed("a.example.fi", frozenset({".example.fi"}))
    assert not network_addresses.allowed("example.fi.evil.test", frozenset({".example.fi"}))


def test_the_admin_form_refuses_an_internal_address_and_keeps_it(client, staff) -> None:
    from tests.conftest import login

    staff("admin@example.fi", role="admin", teams=())
    login(client, "admin@example.fi")
    response = client.post(
        "/admin/webhooks?lang=en",
        data={"name": "Metadata", "url": "http://169.254.169.254/latest", "events": []},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "internal or reserved network address" in page
    assert 'value="http://169.254.169.254/latest"' in page
