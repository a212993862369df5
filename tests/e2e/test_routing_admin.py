"""The routing rule editor in a real browser against the real web process.

An employer sends requests from Lahti and Orimattila; an administrator tries an invalid
change (refused, naming the problem), adds a rule, dry-runs the draft over the received
cases, publishes it; the next Lahti recruitment request lands where the new rule says, with
the reason shown. Self-contained: `desk setup` on a temp SQLite database, then gunicorn on a
free port (no worker is needed: nothing here waits for mail).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.services import free_port
from tests.support.tiers import unavailable

pytestmark = pytest.mark.browser

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = PROJECT_ROOT / ".venv" / "bin"
CHROMIUM = os.environ.get("DESK_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO = tomllib.loads((PROJECT_ROOT / "config" / "demo_users.toml").read_text())
ADMIN = "admin@desk.invalid"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

REQUEST = {
    "business_id": "0737546-2",
    "organisation_name": "Lahden Puutyö Oy",
    "contact_name": "Eeva Employer",
    "email": "eeva.employer@example.fi",
    "description": "We need two carpenters from May.",
}


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def routing_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`desk setup` on a fresh database, then the web process; yields its base URL."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        unavailable(f"Chromium not found at {CHROMIUM}")
    for tool in ("desk", "gunicorn"):
        if not (BIN / tool).exists():
            unavailable(f"{BIN / tool} missing (run `make install`)")
    root = tmp_path_factory.mktemp("routing-e2e")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    env.update(
        DESK_ENV="development",
        DESK_SECRET_KEY_FILE=str(root / "secret_key"),
        DESK_RATELIMIT_SQLITE_PATH=str(root / "ratelimits.sqlite3"),
        DESK_DATABASE_URL=f"sqlite:///{root / 'desk.sqlite3'}",
        DESK_BROKER_SQLITE_PATH=str(root / "broker.sqlite3"),
        DESK_MAILCATCHER_DIR=str(root / "mail"),
        DESK_BASE_URL=f"http://127.0.0.1:{port}",
        PYTHONUNBUFFERED="1",
    )
    log_path = root / "web.log"
    setup = subprocess.run(
        [str(BIN / "desk"), "setup", "--no-demo-cases"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    with log_path.open("wb") as log:
        web = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "desk.app:create_app()",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 45
        while not _ready(base + "/healthz"):
            if web.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"web did not start\n{log_path.read_text(errors='replace')}")
            time.sleep(0.1)
        yield base
    finally:
        web.terminate()
        try:
            web.wait(timeout=15)
        except subprocess.TimeoutExpired:
            web.kill()
            web.wait(timeout=5)


@pytest.fixture(scope="module")
def routing_browser(browser: Any, routing_web: str) -> Any:
    """The session's Chromium (tests/e2e/conftest.py): one Playwright per process."""
    return browser


@pytest.fixture
def new_page(routing_browser: Any, routing_web: str) -> Iterator[Any]:
    contexts: list[Any] = []

    def factory() -> Any:
        context = routing_browser.new_context(
            base_url=routing_web, locale="en-GB", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


def send_request(page: Any, municipality: str, need: str = "recruitment") -> str:
    """Fill the public form; returns the routing reason on the confirmation page."""
    page.goto("/request?lang=en")
    for name, value in REQUEST.items():
        page.locator(f"#{name}").fill(value)
    page.locator("#municipality").select_option(municipality)
    page.locator(f"input[name=need][value='{need}']").check()
    page.locator("input[name=language][value='en']").check()
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url(re.compile(r"\?submitted=1$"))
    return page.get_by_test_id("routing-reason").inner_text()


def assert_accessible(page: Any, label: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    assert results.response.get("testEngine", {}).get("name") == "axe-core"
    assert results.violations_count == 0, f"{label}: {results.generate_report()}"


def test_administrator_changes_a_rule_dry_runs_it_and_publishes_it(new_page: Any) -> None:
    from playwright.sync_api import expect

    employer = new_page()
    assert send_request(employer, "398") == (
        "Routed to Lahti Employment Services, Lahti employer services, because the workplace "
        "is in Lahti (398)."
    )
    send_request(employer, "560")

    admin = new_page()
    admin.goto("/login?lang=en")
    admin.get_by_label("Email address").fill(ADMIN)
    admin.get_by_label("Password").fill(DEMO["password"])
    admin.get_by_role("button", name="Sign in").click()
    admin.wait_for_url("**/staff/")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Routing").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Routing rules")
    expect(admin.get_by_test_id("rule-set-state")).to_contain_text("Version 1 routes new requests")
    assert admin.locator("tr[data-rule]").evaluate_all("rows => rows.map(r => r.dataset.rule)") == [
        "international",
        "change-security-large",
        "outside-region",
        "lahti",
        "paijat-hame",
        "fallback",
    ]
    assert_accessible(admin, "rules page")

    # Disabling the catch-all is refused, naming the problem.
    admin.get_by_role("button", name="Disable fallback").click()
    summary = admin.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("A catch-all rule is missing")

    # A new rule below the Lahti rule could never apply: refused, with what was typed kept.
    admin.get_by_role("link", name="Add a rule").click()
    admin.get_by_label("Rule id").fill("lahti-recruitment")
    admin.get_by_label("Team that receives the request").select_option("regional-intake")
    admin.get_by_label("Lahti (398)").check()
    admin.get_by_label("Recruitment help").check()
    admin.get_by_role("button", name="Save as draft").click()
    expect(admin.locator(".error-summary")).to_contain_text(
        "Rule “lahti-recruitment” can never apply: rule “lahti” above it"
    )
    expect(admin.get_by_label("Rule id")).to_have_value("lahti-recruitment")
    expect(admin.get_by_label("Lahti (398)")).to_be_checked()
    expect(admin.get_by_label("Recruitment help")).to_be_checked()
    assert_accessible(admin, "rule form with errors")

    admin.get_by_label("Position").select_option("lahti")
    admin.get_by_role("button", name="Save as draft").click()
    expect(admin.locator(".notification")).to_contain_text("Saved as draft version 2")
    expect(admin.get_by_test_id("rule-set-state")).to_contain_text("draft version 2")
    expect(admin.locator("tr[data-rule]").nth(3)).to_have_attribute(
        "data-rule", "lahti-recruitment"
    )

    # The dry run re-routes the two cases under the draft: one would move, and where.
    admin.get_by_label("Cases of the last days").fill("30")
    admin.get_by_role("button", name="Run the dry run").click()
    expect(admin.get_by_test_id("dry-run-summary")).to_have_text("1 of 2 cases would move.")
    move = admin.get_by_test_id("dry-run-move")
    expect(move).to_have_count(1)
    expect(move).to_contain_text("Lahti employer services")
    expect(move).to_contain_text("Regional intake team")
    assert_accessible(admin, "dry run result")

    admin.get_by_role("button", name="Publish version 2").click()
    expect(admin.locator(".notification")).to_contain_text("Version 2 published")
    expect(admin.get_by_test_id("rule-set-state")).to_contain_text("Version 2 routes new requests")

    admin.get_by_role("link", name="History").click()
    expect(admin.get_by_test_id("version-2")).to_contain_text("Rule added: lahti-recruitment")
    expect(admin.get_by_test_id("version-2")).to_contain_text("Anna Admin")
    expect(admin.get_by_test_id("version-2")).to_contain_text("In force")

    # The next Lahti recruitment request follows the published rule, and says why.
    reason = send_request(employer, "398")
    assert reason == (
        "Routed to Lahti Employment Services, Regional intake team, because the request "
        "concerns recruitment help and the workplace is in Lahti (398)."
    )
    assert send_request(employer, "398", need="job-ad").endswith("is in Lahti (398).")


def sign_in(page: Any, email: str) -> None:
    page.goto("/login?lang=en")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")


def test_transfer_from_the_case_page_and_the_routing_pages_are_accessible(new_page: Any) -> None:
    from playwright.sync_api import expect

    employer = new_page()
    send_request(employer, "560", need="pay-subsidy")
    reference = employer.locator(".confirmation .reference").inner_text()
    private = employer.url.split("?", 1)[0]

    adviser = new_page()
    sign_in(adviser, "adviser.paijat-hame@desk.invalid")
    expect(adviser.get_by_test_id("availability")).to_contain_text("You are present")
    adviser.get_by_role("link", name=reference).click()
    expect(adviser.get_by_test_id("routing-reason")).to_contain_text("Orimattila (560)")
    assert_accessible(adviser, "case page with routing panels")

    adviser.get_by_label("Transfer to").select_option("lahti-employer-services")
    adviser.get_by_role("button", name="Transfer the case").click()
    expect(adviser.locator("#transfer .error-summary")).to_contain_text(
        "Write why the case is transferred"
    )
    expect(adviser.get_by_label("Transfer to")).to_have_value("lahti-employer-services")
    assert_accessible(adviser, "transfer with an error")
    adviser.get_by_label("Reason for the transfer").fill("The workplace is in Lahti after all.")
    adviser.get_by_role("button", name="Transfer the case").click()
    adviser.wait_for_url("**/staff/")
    expect(adviser.locator(".notification")).to_contain_text("The case was transferred")

    employer.goto(private)
    expect(employer.get_by_test_id("routing-reason")).to_have_text(
        "Transferred to Lahti Employment Services, Lahti employer services. "
        "Reason: The workplace is in Lahti after all."
    )

    admin = new_page()
    sign_in(admin, ADMIN)
    for path, heading in (
        ("/admin/routing/versions", "Routing rule history"),
        ("/admin/routing/teams", "Team assignment"),
        ("/admin/routing/availability", "Availability"),
        ("/admin/routing/rules/lahti", "Edit rule lahti"),
    ):
        admin.goto(path + "?lang=en")
        expect(admin.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(admin, path)
    admin.goto("/admin/routing/key-accounts?lang=en")
    admin.get_by_label("Business ID").fill("0737546-1")
    admin.get_by_role("button", name="Save").click()
    expect(admin.locator(".error-summary")).to_be_focused()
    expect(admin.locator(".error-summary")).to_contain_text("check digit")
    assert_accessible(admin, "key accounts with errors")


def test_affected_employees_are_asked_with_change_security(
    new_page: Any, routing_browser: Any, routing_web: str
) -> None:
    from playwright.sync_api import expect

    page = new_page()
    page.goto("/request?lang=en")
    group = page.locator("#affected-employees-group")
    expect(group).to_be_hidden()
    page.locator("input[name=need][value='recruitment']").check()
    expect(group).to_be_hidden()
    page.locator("input[name=need][value='change-security']").check()
    expect(group).to_be_visible()
    expect(page.get_by_label("Number of employees affected (optional)")).to_be_editable()

    # Without JavaScript the question is always there, with its hint.
    context = routing_browser.new_context(
        base_url=routing_web, locale="en-GB", java_script_enabled=False
    )
    try:
        plain = context.new_page()
        plain.goto("/request?lang=en")
        expect(plain.locator("#affected-employees-group")).to_be_visible()
        expect(plain.locator("#affected_employees-hint")).to_contain_text(
            "Only if you chose lay-offs and change security"
        )
    finally:
        context.close()
