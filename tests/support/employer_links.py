"""The employer's case links in tests: the raw token exists only at submission and emails
carry signed links (timestamped, so compared by what they open, not by their text)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from desk.models import Case
from desk.services import signed_links
from desk.services.case_tokens import case_for_link

_LINK = re.compile(r"(https?://[^/\s]+)/case/([A-Za-z0-9_.\-]+)")


def signed_path(secret: str, case: Case) -> str:
    """/case/<signed link> for the case, as its emails carry it."""
    return f"/case/{signed_links.employer_case_token(secret, case.id, case.email)}"


def app_path(app: Any, case: Case) -> str:
    """signed_path with the app's secret."""
    return signed_path(str(app.config["SECRET_KEY"]), case)


def opens(session: Session, link: str, case: Case, secret: str = "", base: str = "") -> bool:
    """Whether an employer link (absolute, under base if given) opens this case."""
    found = _LINK.search(link)
    if found is None or (base and found.group(1) != base.rstrip("/")):
        return False
    return case_for_link(session, secret, found.group(2)).id == case.id


def link_in(text: str, base: str = "http://desk.test") -> str:
    """The first employer case link in an email's text."""
    found = _LINK.search(text)
    assert found is not None and found.group(1) == base, text
    return found.group(0)


def names_case(secret: str, text: str, case: Case, base: str = "http://desk.test") -> bool:
    """Whether the text holds a signed employer link (under base) to this case and address."""
    token = link_in(text, base).rpartition("/case/")[2]
    link = signed_links.read_employer_case_token(secret, token)
    return link.case_id == case.id and link.email == case.email.strip().lower()
