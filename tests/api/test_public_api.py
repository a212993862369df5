"""The public API: the intake contract, idempotent retries, the employer's case token,
routing and processing times, and every error as problem+json."""

import json

import pytest
from sqlalchemy import func, select

from desk.models import Case, CaseMessage, IdempotencyKey
from desk.services import api_intake, cases
from desk.services.case_tokens import hash_token
from tests.api.conftest import PH, fields, problem, submission
from tests.support.actors import as_staff


def count_cases(app_session) -> int:
    """Read in a transaction of its own (on SQLite a transaction holds the write lock)."""
    app_session.expire_all()
    found = int(app_session.scalar(select(func.count()).select_from(Case)))
    app_session.rollback()
    return found


# --- POST /api/v1/cases: the intake contract --------------------------------------------------


def test_a_submission_returns_where_it_went_why_and_how_to_follow_it(client, app_session):
    response = client.post("/api/v1/cases", json=submission(affected_employees=3, phone=None))
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/cases/{body['reference']}"
    assert body["reference"].startswith("TP-") and body["status"] == "new"
    assert (body["team"], body["authority"], body["rule"]) == (PH, "paijat-hame", "paijat-hame")
    assert body["reason"] == (
        "Routed to Päijät-Häme Employment Services, Päijät-Häme employer services, because "
        "the workplace is in Orimattila (560)."
    )
    assert body["team_name"] == "Päijät-Hämeen työnantajapalvelut"  # Accept-Language: none → fi
    assert body["municipality"] == "560" and body["need"] == "recruitment"
    assert body["expected_first_response_at"] < body["expected_resolution_at"]
    case = app_session.scalars(select(Case)).one()
    # The raw token is in the answer once; the desk keeps only its sha256.
    assert hash_token(body["case_token"]) == case.employer_token_hash
    assert body["case_url"].endswith(f"/case/{body['case_token']}")
    assert (case.affected_employees, case.phone, case.language) == (3, "", "en")


@pytest.mark.parametrize(
    ("changes", "team"),
    [
        ({"municipality": "398"}, "lahti-employer-services"),
        ({"municipality": "Lahtis"}, "lahti-employer-services"),
        ({"municipality": "Gustav Adolfs"}, PH),
        ({"municipality": "Tampere"}, "regional-intake"),
        ({"municipality": "other"}, "regional-intake"),
        ({"need": "international"}, "regional-international"),
        ({"need": "change-security", "affected_employees": 10}, "regional-change-security"),
        ({"need": "change-security", "affected_employees": 9.0}, PH),
    ],
)
def test_submissions_are_routed_like_the_form(client, changes, team):
    response = client.post("/api/v1/cases", json=submission(**changes))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["team"] == team


def test_invalid_input_names_every_bad_field_with_the_forms_codes(client, app_session):
    body = {
        "business_id": "0112038-8",
        "organisation_name": " ",
        "email": "not an email",
        "phone": "call me",
        "municipality": "Orimattila",
        "need": "nope",
        "description": "x" * 5001,
        "language": "de",
        "affected_employees": "12",
        "favourite_colour": "blue",
    }
    response = client.post("/api/v1/cases", json=body, headers={"Accept-Language": "en"})
    errors = fields(problem(response, 422, "validation"))
    assert errors == {
        "business_id": "checksum",
        "organisation_name": "required",
        "contact_name": "required",
        "email": "invalid",
        "phone": "invalid",
        "need": "unknown",
        "description": "too_long",
        "language": "invalid",
        "affected_employees": "invalid",
        "favourite_colour": "unknown_field",
    }
    details = {e["field"]: e for e in response.get_json()["errors"]}
    assert details["business_id"]["detail"] == (
        "Check the Business ID: its last digit (the check digit) does not match the others"
    )
    assert details["business_id"]["pointer"] == "#/business_id"
    assert details["email"]["location"] == "body"
    assert count_cases(app_session) == 0


@pytest.mark.parametrize(
    ("value", "code"),
    [(-1, "out_of_range"), (1_000_001, "out_of_range"), (True, "invalid"), (2.5, "invalid")],
)
def test_affected_employees_must_be_a_whole_number(client, value, code):
    response = client.post("/api/v1/cases", json=submission(affected_employees=value))
    assert fields(problem(response, 422, "validation")) == {"affected_employees": code}


def test_null_and_missing_required_fields_are_required(client):
    response = client.post("/api/v1/cases", json=submission(email=None, business_id=...))
    assert fields(problem(response, 422, "validation")) == {
        "email": "required",
        "business_id": "required",
    }


@pytest.mark.parametrize(
    ("language", "title"),
    [
        (None, "Osa kentistä on virheellisiä"),
        ("fi", "Osa kentistä on virheellisiä"),
        ("sv", "Några fält är ogiltiga"),
        ("en-GB,en;q=0.8", "Some fields are invalid"),
        ("de", "Osa kentistä on virheellisiä"),
    ],
)
def test_problem_titles_follow_accept_language(client, language, title):
    headers = {"Accept-Language": language} if language else {}
    response = client.post("/api/v1/cases", json=submission(email="x"), headers=headers)
    body = problem(response, 422, "validation")
    if language in (None, "fi", "de", "sv"):
        # Finnish first and by default; the lead translates new strings after merging, so
        # the catalogue may not have these yet: the title is then the English msgid.
        assert body["title"] in (title, "Some fields are invalid")
    else:
        assert body["title"] == title
    assert "Accept-Language" in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers  # the API never starts a session


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/cases", data="{nope", content_type="application/json")
    problem(response, 400, "malformed-json")
    response = client.post("/api/v1/cases", data="", content_type="application/json")
    problem(response, 400, "malformed-json")
    response = client.post("/api/v1/cases", data="NaN", content_type="application/json")
    problem(response, 400, "malformed-json")
    response = client.post("/api/v1/cases", data=b'{"a": "\xff"}', content_type="application/json")
    problem(response, 400, "malformed-json")


def test_json_that_is_not_an_object_is_422(client):
    response = client.post("/api/v1/cases", json=[submission()])
    body = problem(response, 422, "validation")
    assert body["errors"] == [
        {
            "field": "",
            "location": "body",
            "code": "invalid",
            "detail": body["errors"][0]["detail"],
            "pointer": "#",
        }
    ]


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "application/xml", None]
)
def test_a_body_that_is_not_json_is_415(client, content_type):
    kwargs = {"data": json.dumps(submission())}
    if content_type:
        kwargs["content_type"] = content_type
    response = client.post("/api/v1/cases", **kwargs)
    problem(response, 415, "unsupported-media-type")
    assert response.headers["Accept-Post"] == "application/json"


def test_a_body_over_256_kib_is_413(client, app_session):
    body = submission(description="x" * (300 * 1024))
    response = client.post("/api/v1/cases", json=body)
    problem(response, 413, "payload-too-large")
    assert count_cases(app_session) == 0


def test_the_api_needs_no_csrf_token(app, app_session):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    assert client.post("/request", data={}).status_code == 400  # the form still needs one
    response = client.post("/api/v1/cases", json=submission())
    assert response.status_code == 201


# --- Idempotency-Key ------------------------------------------------------------------------


def test_the_same_key_and_body_return_the_same_case(client, app_session):
    headers = {"Idempotency-Key": "3f1b6c1e-9a57-4c1e-8f5e-0d5c1b1a7e21"}
    first = client.post("/api/v1/cases", json=submission(), headers=headers)
    again = client.post("/api/v1/cases", json=submission(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    token = again.get_json()["case_token"]
    secret_free = ("case_token", "case_url")
    assert {k: v for k, v in again.get_json().items() if k not in secret_free} == {
        k: v for k, v in first.get_json().items() if k not in secret_free
    }
    # The replay's token (signed: the raw one is not stored) opens the same case.
    reference = first.get_json()["reference"]
    read = client.get(f"/api/v1/cases/{reference}", headers={"X-Case-Token": token})
    assert read.status_code == 200
    assert again.headers["Location"] == first.headers["Location"]
    assert count_cases(app_session) == 1
    # The same fields in another order (or with defaults spelled out) are the same request.
    reordered = dict(reversed(list(submission(affected_employees=None).items())))
    third = client.post("/api/v1/cases", json=reordered, headers=headers)
    assert (
        third.status_code == 200 and third.get_json()["reference"] == first.get_json()["reference"]
    )
    assert count_cases(app_session) == 1


def test_the_same_key_with_another_body_is_refused(client, app_session):
    headers = {"Idempotency-Key": "k-1", "Accept-Language": "en"}
    first = client.post("/api/v1/cases", json=submission(), headers=headers)
    response = client.post("/api/v1/cases", json=submission(description="Else"), headers=headers)
    body = problem(response, 422, "idempotency-key-reused")
    assert first.get_json()["reference"] in body["detail"]
    assert count_cases(app_session) == 1


def test_without_a_key_a_retry_is_a_new_case(client, app_session):
    client.post("/api/v1/cases", json=submission())
    client.post("/api/v1/cases", json=submission())
    assert count_cases(app_session) == 2


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "ä"])
def test_a_malformed_key_is_a_header_error(client, app_session, key):
    response = client.post(
        "/api/v1/cases",
        json=submission(email="bad"),
        headers={"Idempotency-Key": key.encode("utf-8").decode("latin-1")},
    )
    errors = problem(response, 422, "validation")["errors"]
    assert {(e["field"], e["location"], e["code"]) for e in errors} == {
        ("email", "body", "invalid"),
        ("Idempotency-Key", "header", "invalid"),
    }
    assert count_cases(app_session) == 0


def test_an_invalid_submission_does_not_use_up_the_key(client, app_session):
    headers = {"Idempotency-Key": "k-2"}
    assert (
        client.post("/api/v1/cases", json=submission(email="x"), headers=headers).status_code == 422
    )
    assert client.post("/api/v1/cases", json=submission(), headers=headers).status_code == 201
    app_session.expire_all()
    stored = app_session.scalars(select(IdempotencyKey)).one().key
    assert stored == api_intake.scoped_key("address:127.0.0.1", "k-2")


def test_one_clients_key_never_echoes_another_clients_case(client, app_session):
    headers = {"Idempotency-Key": "shared-key", "Accept-Language": "en"}
    first = client.post("/api/v1/cases", json=submission(), headers=headers)
    other = client.post(
        "/api/v1/cases",
        json=submission(description="Another employer"),
        headers=headers,
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert (first.status_code, other.status_code) == (201, 201)
    assert other.get_json()["reference"] != first.get_json()["reference"]
    assert first.get_json()["reference"] not in other.get_data(as_text=True)
    assert count_cases(app_session) == 2


# --- the employer's case token ------------------------------------------------------------------


def test_the_employer_reads_the_case_without_internal_notes(client, app_session, staff, submitted):
    receipt = submitted()
    adviser = staff("ph@example.fi")
    case = app_session.scalars(select(Case)).one()
    cases.add_note(app_session, as_staff(adviser), case.id, "Internal: call them")
    cases.reply(app_session, as_staff(adviser), case.id, "We will call you")
    response = client.get(
        f"/api/v1/cases/{receipt['reference']}",
        headers={"X-Case-Token": receipt["case_token"], "Accept-Language": "sv"},
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["status"] == "open" and body["reason"] == receipt["reason"]
    assert body["team"] == {"slug": PH, "name": "Päijänne-Tavastlands arbetsgivartjänster"}
    assert [(m["author"], m["body"]) for m in body["messages"]] == [("staff", "We will call you")]
    assert "Internal" not in response.get_data(as_text=True)
    assert {d["target"] for d in body["expected_dates"]} == {"first_response", "resolution"}


def test_the_case_token_is_required_and_must_match(client, submitted):
    one, other = submitted(), submitted()
    response = client.get(f"/api/v1/cases/{one['reference']}")
    problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("CaseToken")
    response = client.get(f"/api/v1/cases/{one['reference']}", headers={"X-Case-Token": "nope"})
    problem(response, 401, "unauthorized")
    response = client.get(
        f"/api/v1/cases/{one['reference']}", headers={"X-Case-Token": other["case_token"]}
    )
    problem(response, 404, "not-found")
    response = client.get(
        f"/api/v1/cases/{one['reference'].lower()}", headers={"X-Case-Token": one["case_token"]}
    )
    assert response.status_code == 200


def test_the_employer_answers_and_a_waiting_case_opens(client, app_session, staff, submitted):
    receipt = submitted()
    adviser = staff("ph@example.fi")
    case = app_session.scalars(select(Case)).one()
    cases.change_status(app_session, as_staff(adviser), case.id, "waiting")
    url = f"/api/v1/cases/{receipt['reference']}/messages"
    headers = {"X-Case-Token": receipt["case_token"]}
    response = client.post(url, json={"body": " Here are the details "}, headers=headers)
    assert response.status_code == 201
    assert response.get_json()["author"] == "employer"
    assert response.get_json()["body"] == "Here are the details"
    app_session.expire_all()
    assert app_session.get(Case, case.id).status == "open"
    app_session.rollback()

    assert fields(
        problem(client.post(url, json={"body": " "}, headers=headers), 422, "validation")
    ) == {"body": "required"}
    too_long = client.post(url, json={"body": "x" * 5001}, headers=headers)
    assert fields(problem(too_long, 422, "validation")) == {"body": "too_long"}
    assert fields(problem(client.post(url, json={}, headers=headers), 422, "validation")) == {
        "body": "required"
    }
    problem(client.post(url, data="body=hi", headers=headers), 415, "unsupported-media-type")
    problem(client.post(url, json={"body": "hi"}), 401, "unauthorized")

    cases.change_status(app_session, as_staff(adviser), case.id, "resolved")
    cases.change_status(app_session, as_staff(adviser), case.id, "closed")
    body = problem(client.post(url, json={"body": "hello?"}, headers=headers), 409, "conflict")
    assert "closed" in body["detail"].lower() or "suljettu" in body["detail"].lower()
    app_session.expire_all()
    assert app_session.scalar(select(func.count()).select_from(CaseMessage)) == 1


# --- routing and processing times ---------------------------------------------------------------


def test_the_routing_explanation_creates_no_case(client, app_session):
    response = client.get("/api/v1/routing?municipality=Lahtis&need=recruitment&language=en")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["team"], body["authority"], body["rule"]) == (
        "lahti-employer-services",
        "lahti",
        "lahti",
    )
    assert body["reason"] == (
        "Routed to Lahti Employment Services, Lahti employer services, because the workplace "
        "is in Lahti (398)."
    )
    assert body["rule_version"] == 1 and body["municipality"] == "398"
    sv = client.get(
        "/api/v1/routing?municipality=560&need=change-security&affected_employees=25",
        headers={"Accept-Language": "sv"},
    ).get_json()
    assert sv["team"] == "regional-change-security" and sv["language"] == "sv"
    assert count_cases(app_session) == 0


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("", {"municipality": "required", "need": "required"}),
        ("municipality=Lahti&need=nope", {"need": "unknown"}),
        ("municipality=%20&need=recruitment", {"municipality": "required"}),
        (
            "municipality=Lahti&need=recruitment&affected_employees=-1",
            {"affected_employees": "out_of_range"},
        ),
        (
            "municipality=Lahti&need=recruitment&affected_employees=1.5",
            {"affected_employees": "invalid"},
        ),
        ("municipality=Lahti&need=recruitment&language=de", {"language": "invalid"}),
        ("municipality=Lahti&municipality=Hollola&need=recruitment", {"municipality": "invalid"}),
    ],
)
def test_routing_questions_are_validated(client, query, errors):
    response = client.get(f"/api/v1/routing?{query}")
    body = problem(response, 422, "validation")
    assert fields(body) == errors
    assert {e["location"] for e in body["errors"]} == {"query"}


def test_processing_times_list_every_need_in_the_asked_language(client):
    response = client.get("/api/v1/processing-times", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    rows = {row["need"]: row for row in response.get_json()}
    assert len(rows) == 12  # the 11 needs of the request form and accessibility feedback
    assert rows["accessibility-feedback"]["resolution_minutes"] == 10 * 480
    assert rows["change-security"]["first_response_minutes"] == 240
    assert rows["change-security"]["resolution"] == "5 business days"
    assert rows["joint-training"]["resolution_minutes"] == 20 * 480
    fi = client.get("/api/v1/processing-times").get_json()
    assert {row["need"] for row in fi} == set(rows)
    assert fi[0]["name"] != rows[fi[0]["need"]]["name"]  # Finnish by default


# --- HTTP errors under /api/ ------------------------------------------------------------------


def test_unknown_paths_and_methods_are_problems(client):
    problem(client.get("/api/v1/nothing-here"), 404, "not-found")
    response = client.delete("/api/v1/cases")
    problem(response, 405, "method-not-allowed")
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    # Pages outside the API keep their HTML error pages.
    assert client.get("/no-such-page").mimetype == "text/html"


def test_direction_overrides_and_invisible_names_follow_the_forms_rules(client, app_session):
    body = submission(contact_name="Aino\u2066", organisation_name="\u200b\ufeff")
    errors = problem(client.post("/api/v1/cases", json=body), 422, "validation")["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("contact_name", "direction_characters"),
        ("organisation_name", "required"),
    }
    assert count_cases(app_session) == 0
