"""Property: whatever text reaches a form or an API operation, the answer is a success or a 4xx
with a message, never a 5xx. Examples are bounded so the module runs in well under a minute.

Deeply nested JSON (once a RecursionError) and NUL bytes (once a 500 on PostgreSQL) have
their own tests beside the fixes (tests/api/test_nested_json.py, tests/domain/test_intake.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from limits.storage import MemoryStorage

from desk.domain.intake import FIELDS
from desk.services import api_tokens, cases, signed_links
from tests.api.conftest import VALID
from tests.conftest import login, raw_submission
from tests.fuzz.strategies import hostile_text
from tests.support.actors import as_staff
from tests.support.employer_links import app_path

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
COUNTS: dict[str, int] = {}


@pytest.fixture(scope="module", autouse=True)
def _report_counts() -> Any:
    """What was sent per target, printed after the module (`-s` shows it) for the report."""
    yield
    print("\nfuzz requests per target:", dict(sorted(COUNTS.items())))


FEEDBACK_FIELDS = ("name", "email", "page", "description")


def _checked(name: str, response: Any) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1
    assert response.status_code < 500, (name, response.status_code)
    if response.status_code >= 400 and response.status_code != 404:
        assert response.get_data(as_text=True).strip(), (name, "a 4xx without a message")


def _form(fields: tuple[str, ...]) -> Any:
    """Some fields hostile, the rest left out or valid: every combination is reached."""
    return st.fixed_dictionaries({}, optional={name: hostile_text for name in fields})


def _reset(client: Any) -> None:
    """Forget the rate limits counted: every example is a first request, not a 429."""
    limiter = client.application.extensions["desk.limiter"]
    if isinstance(limiter.storage, MemoryStorage):
        limiter.reset()


@pytest.fixture
def anyone(client) -> Any:
    return client


@pytest.fixture
def adviser(client, app_session, staff) -> Any:
    staff("a@example.fi")
    login(client, "a@example.fi")
    case = cases.submit_case(app_session, raw_submission())
    return client, case


@given(data=_form(FIELDS))
@FUZZ
def test_the_request_form(anyone, data) -> None:
    _reset(anyone)
    _checked("public request form", anyone.post("/request", data=data))


@given(data=_form(FEEDBACK_FIELDS))
@FUZZ
def test_the_accessibility_feedback_form(anyone, data) -> None:
    _reset(anyone)
    _checked("accessibility feedback", anyone.post("/accessibility/feedback", data=data))


@given(body=hostile_text, choice=hostile_text)
@FUZZ
def test_the_employers_message_and_email_preferences(client, app_session, body, choice) -> None:
    _reset(client)
    case = cases.submit_case(app_session, raw_submission())
    secret = str(client.application.config["SECRET_KEY"])
    client.get(app_path(client.application, case))  # the private link: a session grant
    base = f"/portal/cases/{case.reference}"
    _checked("employer message", client.post(f"{base}/messages", data={"body": body}))
    choices = signed_links.email_choices_token(secret, case.id, case.email)
    _checked(
        "employer email choices",
        client.post(f"/email-choices/{choices}", data={"emails": choice}),
    )


@given(action=st.sampled_from(["note", "reply", "status", "claim"]), text=hostile_text)
@FUZZ
def test_the_staff_case_actions(adviser, action, text) -> None:
    client, case = adviser
    data = {"body": text, "status": text}
    _checked("staff case action", client.post(f"/staff/cases/{case.reference}/{action}", data=data))


@given(
    path=st.sampled_from(["assign", "ask", "follow-up", "details", "resolve"]),
    data=_form(
        (
            "assignee",
            "body",
            "date",
            "time",
            "need",
            "municipality",
            "municipality_other",
            "resolution_category",
        )
    ),
)
@FUZZ
def test_the_staff_case_forms(adviser, path, data) -> None:
    client, case = adviser
    _checked("staff case form", client.post(f"/staff/cases/{case.reference}/{path}", data=data))


@given(q=hostile_text, after=hostile_text)
@FUZZ
def test_search_and_the_access_log_queries(client, staff, q, after) -> None:
    _reset(client)
    staff("m@example.fi", role="manager", teams=())
    login(client, "m@example.fi")
    _checked("search", client.get("/staff/search", query_string={"q": q, "after": after}))
    _checked("access log", client.get("/reports/audit", query_string={"case": q, "before": after}))
    _checked("reports", client.get("/reports", query_string={"from": q, "to": after, "team": q}))


@given(data=_form(("email", "format", "confirm", "day", "authority", "note", "name", "user")))
@FUZZ
def test_the_admin_forms(client, staff, data) -> None:
    _reset(client)
    staff("boss@example.fi", role="admin", teams=())
    login(client, "boss@example.fi")
    for path in (
        "/admin/data-subjects/",
        "/admin/data-subjects/erase",
        "/admin/sla/closures",
        "/admin/api-tokens/",
    ):
        _checked(f"admin {path}", client.post(path, data=data))


# --- the API ------------------------------------------------------------------------------

_JSON_VALUE = st.one_of(
    hostile_text, st.integers(), st.none(), st.booleans(), st.lists(st.text(max_size=5), max_size=3)
)


@given(
    changes=st.dictionaries(
        st.sampled_from([*VALID, "affected_employees", "extra"]), _JSON_VALUE, max_size=4
    )
)
@FUZZ
def test_the_public_api_submission(anyone, changes) -> None:
    _reset(anyone)
    body = {**VALID, **changes}
    _checked("API submit", anyone.post("/api/v1/cases", json=body))


@given(raw=st.binary(max_size=300) | hostile_text.map(str.encode))
@FUZZ
def test_the_public_api_takes_any_bytes(anyone, raw) -> None:
    _reset(anyone)
    response = anyone.post("/api/v1/cases", data=raw, content_type="application/json")
    _checked("API raw body", response)


@given(
    op=st.sampled_from(["note", "reply", "ask-employer", "status", "transfer", "assign"]),
    value=_JSON_VALUE,
)
@FUZZ
def test_the_staff_api_operations(client, app_session, staff, op, value) -> None:
    _reset(client)
    adviser = staff("api@example.fi")
    case = cases.submit_case(app_session, raw_submission())
    admin = staff("tokens@example.fi", role="admin", teams=())
    secret = api_tokens.create_token(
        app_session, as_staff(admin), adviser.id, "f", ["read", "write"]
    ).secret
    body = {"body": value, "status": value, "team": value, "reason": value, "assignee": value}
    response = client.post(
        f"/api/v1/staff/cases/{case.reference}/{op}",
        json=body,
        headers={"Authorization": f"Bearer {secret}"},
    )
    _checked("staff API", response)


def test_deeply_nested_json_is_a_4xx(anyone) -> None:
    response = anyone.post("/api/v1/cases", data="[" * 1200, content_type="application/json")
    assert response.status_code < 500
