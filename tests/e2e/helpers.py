"""What the browser tests do again and again: sign in, fill the form, read caught mail, run axe."""

from __future__ import annotations

import os
import re
import time
import tomllib
from collections.abc import Callable, Mapping
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO_USERS = tomllib.loads((PROJECT_ROOT / "config" / "demo_users.toml").read_text())
DEMO_PASSWORD: str = DEMO_USERS["password"]
ADVISER_PAIJAT_HAME = "adviser.paijat-hame@desk.invalid"
ADMIN = "admin@desk.invalid"

REFERENCE = re.compile(r"\bTP-\d{4}-\d{6}\b")
MAIL_WAIT_SECONDS = 30.0

# The WCAG 2.1 A and AA rules of axe-core (Act 306/2019 requires WCAG 2.1 AA).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# A request that routes to Päijät-Häme (Orimattila, 560) under the default rules.
VALID_REQUEST = {
    "business_id": "0737546-2",
    "organisation_name": "Orimattilan Puutyö Oy",
    "contact_name": "Eeva Employer",
    "email": "eeva.employer@example.fi",
    "phone": "+358 40 123 4567",
    "municipality": "560",
    "need": "recruitment",
    "description": "We need two carpenters from May.\nCan you pre-screen candidates?",
}


def sign_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in on /login in English (staff pages otherwise follow the user's own language)."""
    page.goto("/login?lang=en")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")


def fill_request(page: Any, values: Mapping[str, str]) -> None:
    """Type into the public request form; fields missing from values are left as they are."""
    for name in (
        "business_id",
        "organisation_name",
        "contact_name",
        "email",
        "phone",
        "affected_employees",
        "description",
    ):
        if name in values:
            page.locator(f"#{name}").fill(values[name])
    if "municipality" in values:
        page.locator("#municipality").select_option(values["municipality"])
    if "need" in values:
        page.locator(f"input[name=need][value='{values['need']}']").check()
    if "language" in values:
        page.locator(f"input[name=language][value='{values['language']}']").check()


def read_mail(path: Path) -> EmailMessage:
    with path.open("rb") as fh:
        message = BytesParser(policy=policy.default).parse(fh)
    assert isinstance(message, EmailMessage)
    return message


def caught_mail(mail_dir: Path) -> list[EmailMessage]:
    """Every message the SMTP catcher has filed, oldest first (it writes *.eml atomically)."""
    if not mail_dir.is_dir():
        return []
    return [read_mail(path) for path in sorted(mail_dir.glob("*.eml"))]


def wait_for_mail(
    mail_dir: Path,
    matches: Callable[[EmailMessage], bool],
    what: str,
    timeout: float = MAIL_WAIT_SECONDS,
) -> EmailMessage:
    """Poll the catcher's directory until a matching message arrives, or fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in caught_mail(mail_dir) if matches(m)]
        if found:
            assert len(found) == 1, f"{what}: expected one message, got {len(found)}"
            return found[0]
        if time.monotonic() > deadline:
            seen = [(m["To"], m["Subject"]) for m in caught_mail(mail_dir)]
            raise AssertionError(f"{what}: no such mail within {timeout:.0f} s; caught: {seen}")
        time.sleep(0.2)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no text/plain part"
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "the message has no text/html part"
    return str(part.get_content())


def assert_accessible(page: Any, label: str) -> None:
    """No axe-core violations of the WCAG 2.1 A/AA rules on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    # Guard against a silent no-op: axe must really have evaluated the page.
    assert results.response.get("testEngine", {}).get("name") == "axe-core"
    assert results.violations_count == 0, f"{label}: {results.generate_report()}"


def screenshot(page: Any, shots_dir: Path, name: str, full_page: bool = True) -> None:
    """Save a PNG to look at after the run (screenshots are not committed)."""
    if os.environ.get("DESK_E2E_SCREENSHOTS", "1") in ("0", "false", "no"):
        return
    page.screenshot(path=str(shots_dir / f"{name}.png"), full_page=full_page)
