"""The email channel's pure rules: signed reply addresses, loop protection, trimming,
language and Business ID found in a message."""

from __future__ import annotations

import pytest

from desk.domain.inbound_mail import (
    base_of,
    business_id_in,
    guess_language,
    loop_verdict,
    municipality_in,
    outbox_id_in,
    reference_from_address,
    reference_in_thread_id,
    reply_address,
    thread_root,
    trim_reply,
)

SECRET = "s3cret"


def test_a_reply_address_carries_its_case_and_cannot_be_forged() -> None:
    address = reply_address(SECRET, "tyonantajat@desk.invalid", "TP-2026-000042")
    assert address.startswith("tyonantajat+TP-2026-000042.")
    assert address.endswith("@desk.invalid")
    assert reference_from_address(SECRET, address) == "TP-2026-000042"
    assert reference_from_address(SECRET, f"<{address.upper()}>") == "TP-2026-000042"
    # Another case's number with this signature, another secret, no tag: nothing.
    forged = address.replace("000042", "000043")
    assert reference_from_address(SECRET, forged) is None
    assert reference_from_address("other", address) is None
    assert reference_from_address(SECRET, "tyonantajat@desk.invalid") is None
    assert base_of(address) == "tyonantajat@desk.invalid"


def test_thread_ids_name_the_outbox_row_or_the_case() -> None:
    assert outbox_id_in("<outbox-17.1764633600@desk.invalid>") == 17
    assert outbox_id_in("<abc@example.fi>") is None
    root = thread_root("TP-2026-000001", "desk.invalid")
    assert reference_in_thread_id(root) == "TP-2026-000001"


@pytest.mark.parametrize(
    ("headers", "content_type", "report", "reason", "bounce"),
    [
        ({}, "multipart/report", "delivery-status", "delivery report", True),
        (
            {"return-path": "<>", "subject": "Undelivered Mail"},
            "text/plain",
            "",
            "delivery report",
            True,
        ),
        ({"from-address": "mailer-daemon@x.fi"}, "text/plain", "", "from a mail system", False),
        ({"auto-submitted": "auto-replied"}, "text/plain", "", "Auto-Submitted", False),
        ({"precedence": "bulk"}, "text/plain", "", "Precedence", False),
        ({"list-id": "<news.example.fi>"}, "text/plain", "", "mailing list", False),
        ({"x-autoreply": "yes"}, "text/plain", "", "auto-reply", False),
        ({"subject": "Automaattinen vastaus: Uusi vastaus"}, "text/plain", "", "auto-reply", False),
        ({"subject": "Out of Office: TP-2026-000001"}, "text/plain", "", "auto-reply", False),
    ],
)
def test_mail_that_must_never_be_answered(
    headers: dict[str, str], content_type: str, report: str, reason: str, bounce: bool
) -> None:
    verdict = loop_verdict(headers, content_type, report)
    assert verdict.automatic
    assert verdict.reason.startswith(reason)
    assert verdict.bounce is bounce


def test_a_person_writing_is_not_automatic() -> None:
    verdict = loop_verdict(
        {"subject": "Re: Uusi vastaus asiaasi", "auto-submitted": "no"}, "text/plain"
    )
    assert not verdict.automatic


@pytest.mark.parametrize(
    "intro",
    [
        "On Mon, 1 Dec 2026 at 9.30, Desk <tyonantajat@desk.invalid> wrote:",
        "ma 1.12.2026 klo 9.30 Työnantajapalvelut <tyonantajat@desk.invalid> kirjoitti:",
        "-----Original Message-----",
        "From: Työnantajapalvelut <tyonantajat@desk.invalid>",
    ],
)
def test_quoted_history_and_signature_are_trimmed(intro: str) -> None:
    text = f"Kolme hitsaajaa tammikuusta.\nKiitos!\n\n{intro}\n> Hyvä asiakas,\n> ...\n"
    assert trim_reply(text) == "Kolme hitsaajaa tammikuusta.\nKiitos!"
    signed = "Sopii hyvin.\n-- \nTeija Työnantaja\nOrimattilan Metalli Oy"
    assert trim_reply(signed) == "Sopii hyvin."
    assert trim_reply("> only a quote") == "> only a quote"  # nothing new: keep it all


def test_language_and_business_id_in_the_text() -> None:
    assert guess_language("Hei, tarvitsemme kolme työntekijää. Terveisin Teija") == "fi"
    assert guess_language("Hej, vi behöver tre anställda. Vänliga hälsningar") == "sv"
    assert guess_language("Hello, we would like to hire three welders. Regards") == "en"
    assert guess_language("1234") == "fi"
    assert business_id_in("Y-tunnus 0112038-9, ei 1234567-8") == "0112038-9"
    assert business_id_in("Y-tunnus 1234567-8") == ""


def test_a_municipality_named_in_the_text_even_inflected() -> None:
    from desk.domain.reference_data import Municipality

    region = [
        Municipality("398", "Lahti", "Lahtis", "lahti"),
        Municipality("781", "Sysmä", "Sysmä", "paijat-hame"),
        Municipality("111", "Heinola", "Heinola", "paijat-hame"),
    ]
    assert municipality_in("Toimipaikka on Sysmässä.", region) == "781"
    assert municipality_in("Heinolasta kirjoitan", region) == "111"
    assert municipality_in("Vi finns i Lahtis", region) == "398"
    assert municipality_in("Terveisin Matti Lahtinen", region) == ""
    assert municipality_in("Tampereella", region) == ""
