"""RFC 2369/8058 headers leave the desk as plain ASCII, never as RFC 2047 encoded words."""

from __future__ import annotations

import io
from email.generator import BytesGenerator

import pytest

from desk.services import mailer

SETTINGS = mailer.SmtpSettings(host="127.0.0.1", port=25)


def _build(link: str) -> bytes:
    message = mailer.build_message(
        SETTINGS,
        to="a@example.fi",
        subject="Pyyntösi TP-2026-000002 on ratkaistu",
        text="t",
        html="<p>h</p>",
        language="fi",
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    out = io.BytesIO()
    BytesGenerator(out).flatten(message, linesep="\r\n")  # as smtplib.send_message does
    return out.getvalue()


def test_the_unsubscribe_link_goes_out_as_it_is() -> None:
    link = "https://desk.example.fi/email-choices/" + "A1b2" * 40
    raw = _build(link)
    assert f"List-Unsubscribe: <{link}>\r\n".encode() in raw
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw
    assert b"=?utf-8?q?=3C" not in raw


@pytest.mark.parametrize(
    "link", ["https://työ.example.fi/x", "https://desk.example.fi/" + "a" * 1000, "x\r\nBcc: y"]
)
def test_a_value_that_would_be_encoded_or_folded_is_refused(link: str) -> None:
    with pytest.raises(ValueError):
        _build(link)
