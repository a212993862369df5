"""Email subjects keep the space after the case reference in every language."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest

from desk.services.mailer import SmtpSettings, build_message

SETTINGS = SmtpSettings.from_config(
    {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": 25, "MAIL_FROM": "desk@desk.invalid"}
)

SUBJECTS = {
    "fi": "Vaarassa myöhästyä: asian TP-2026-000002 ensimmäisen vastauksen määräaika on "
    "2.12.2026 klo 9.30",
    "sv": "Risk för försening: tidsfristen för första svar i ärende TP-2026-000002 går ut "
    "2.12.2026 kl. 9.30",
    "en": "At risk: first response of case TP-2026-000002 is due 2 Dec 2026, 9:30",
}


@pytest.mark.parametrize("language", sorted(SUBJECTS))
def test_subject_survives_the_wire_with_its_spaces(language: str) -> None:
    subject = SUBJECTS[language]
    message = build_message(
        SETTINGS, to="x@desk.invalid", subject=subject, text="ä", html="<p>ä</p>", language=language
    )
    parsed = BytesParser(policy=policy.default).parsebytes(message.as_bytes())
    assert str(parsed["Subject"]) == subject
    assert "TP-2026-000002 " in str(parsed["Subject"])
    assert parsed.get_body(("plain",)).get_content().strip() == "ä"
