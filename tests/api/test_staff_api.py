"""The staff API: tokens and scopes, a team's cases page by page, a case with its history,
and the case page's actions (claim, assign, reply, note, status, transfer)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from desk.models import ApiToken, Case, CaseMessage
from desk.services import api_tokens, cases
from tests.api.conftest import LAHTI, PH, fields, problem, submission
from tests.conftest import raw_submission
from tests.support.actors import as_staff

T0 = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)


@pytest.fixture
def adviser(staff):
    return staff("ph@example.fi")


@pytest.fixture
def auth(adviser, token_for):
    return token_for(adviser)


def new_case(app_session, at=None, **changes):
    case = cases.submit_case(app_session, raw_submission(**changes), now=at)
    return case.reference, case.id


# --- tokens and scopes ----------------------------------------------------------------------


def test_the_token_acts_as_its_owner(client, adviser, auth, app_session, token_for):
    response = client.get("/api/v1/staff/me", headers=auth)
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["email"] == "ph@example.fi" and body["teams"] == [PH]
    assert body["scopes"] == ["read", "write"] and body["prefix"].startswith("desk_")
    assert response.headers["Cache-Control"] == "no-store"  # staff data is never cached
    app_session.expire_all()
    token = app_session.scalars(select(ApiToken)).one()
    assert token.last_used_at is not None  # recorded on use
    app_session.rollback()
    reports_only = token_for(adviser, ("reports",))
    assert client.get("/api/v1/staff/me", headers=reports_only).status_code == 200


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer desk_unknown_but_long_enough_1234"],
)
def test_a_missing_or_unknown_token_is_401_with_a_challenge(client, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/v1/staff/teams", headers=headers)
    problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="desk-api"')


def test_revoked_tokens_and_inactive_owners_are_refused(client, app_session, admin_user, staff):
    owner = staff("leaver@example.fi")
    secret = api_tokens.create_token(
        app_session, as_staff(admin_user), owner.id, "t", ["read"]
    ).secret
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/staff/teams", headers=headers).status_code == 200
    token = app_session.scalars(select(ApiToken)).one()
    api_tokens.revoke_token(app_session, as_staff(admin_user), token.id)
    response = client.get("/api/v1/staff/teams", headers=headers)
    problem(response, 401, "unauthorized")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]

    other = api_tokens.create_token(
        app_session, as_staff(admin_user), owner.id, "t2", ["read"]
    ).secret
    owner.active = False
    app_session.commit()
    problem(
        client.get("/api/v1/staff/teams", headers={"Authorization": f"Bearer {other}"}),
        401,
        "unauthorized",
    )


@pytest.mark.parametrize(
    ("scopes", "read", "write"),  # any live token may ask who it is (GET /staff/me)
    [
        (("read",), 200, 403),
        (("write",), 403, 200),
        (("reports",), 403, 403),
        (("read", "write"), 200, 200),
    ],
)
def test_scopes_limit_what_a_token_may_do(
    client, app_session, adviser, token_for, scopes, read, write
):
    reference, _ = new_case(app_session)
    headers = token_for(adviser, scopes)
    got = client.get(f"/api/v1/staff/cases/{reference}", headers=headers)
    assert got.status_code == read
    claimed = client.post(f"/api/v1/staff/cases/{reference}/claim", headers=headers)
    assert claimed.status_code == write
    for response, scope in ((got, "read"), (claimed, "write")):
        if response.status_code == 403:
            problem(response, 403, "forbidden")
            assert f'scope="{scope}"' in response.headers["WWW-Authenticate"]


# --- listing a team's cases -------------------------------------------------------------------


def test_a_teams_cases_come_a_page_at_a_time(client, app_session, auth):
    made = [new_case(app_session, T0 + timedelta(minutes=m))[0] for m in (3, 0, 0, 1, 2)]
    new_case(app_session, T0, municipality="Lahti")  # another team
    expected = [
        ref
        for ref, _ in sorted(
            ((r, app_session.scalars(select(Case).where(Case.reference == r)).one()) for r in made),
            key=lambda pair: (pair[1].created_at, pair[1].id),
        )
    ]
    app_session.rollback()
    seen, url = [], f"/api/v1/staff/teams/{PH}/cases?limit=2"
    while True:
        response = client.get(url, headers=auth)
        assert response.status_code == 200
        body = response.get_json()
        assert len(body["items"]) <= 2
        seen.extend(item["reference"] for item in body["items"])
        if body["next_cursor"] is None:
            break
        url = f"/api/v1/staff/teams/{PH}/cases?limit=2&cursor={body['next_cursor']}"
    assert seen == expected
    item = client.get(f"/api/v1/staff/teams/{PH}/cases", headers=auth).get_json()["items"][0]
    assert set(item) >= {"reference", "status", "need", "municipality", "assignee", "sla_due_at"}


def test_filters_and_their_errors(client, app_session, adviser, auth):
    a, a_id = new_case(app_session, need="job-ad", municipality="Heinola")
    b, _ = new_case(app_session, need="recruitment")
    cases.claim(app_session, as_staff(adviser), a_id)
    base = f"/api/v1/staff/teams/{PH}/cases"

    def refs(query: str) -> list[str]:
        response = client.get(f"{base}?{query}", headers=auth)
        assert response.status_code == 200, response.get_json()
        return [item["reference"] for item in response.get_json()["items"]]

    assert refs("status=open") == [a] and refs("status=new&status=open") == [a, b]
    assert refs("need=recruitment") == [b] and refs("municipality=Heinola") == [a]
    assert refs("municipality=111") == [a] and refs("municipality=other") == []
    assert refs("assignee=me") == [a] and refs("assignee=none") == [b]
    assert refs(f"assignee={adviser.id}") == [a]

    response = client.get(
        f"{base}?status=gone&need=nope&municipality=Tampere&assignee=you&limit=0&cursor=zz",
        headers=auth,
    )
    assert fields(problem(response, 422, "validation")) == {
        "status": "invalid",
        "assignee": "invalid",
        "limit": "out_of_range",
    }
    response = client.get(f"{base}?need=nope&municipality=Tampere", headers=auth)
    assert fields(problem(response, 422, "validation")) == {
        "need": "unknown",
        "municipality": "unknown",
    }
    response = client.get(f"{base}?cursor=not-ours", headers=auth)
    assert fields(problem(response, 422, "validation")) == {"cursor": "invalid"}
    problem(client.get("/api/v1/staff/teams/nope/cases", headers=auth), 404, "not-found")
    problem(client.get(f"/api/v1/staff/teams/{LAHTI}/cases", headers=auth), 403, "forbidden")


def test_teams_list_the_members_for_assignment(client, adviser, auth, staff):
    staff("lahti@example.fi", authority="lahti", teams=(LAHTI,))
    response = client.get("/api/v1/staff/teams", headers={**auth, "Accept-Language": "en"})
    assert response.status_code == 200
    [team] = response.get_json()
    assert (team["slug"], team["name"], team["authority"]) == (
        PH,
        "Päijät-Häme employer services",
        "paijat-hame",
    )
    assert [m["email"] for m in team["members"]] == ["ph@example.fi"]


# --- a case and its actions ------------------------------------------------------------------


def test_a_case_with_messages_events_and_sla_targets(client, app_session, adviser, auth):
    reference, case_id = new_case(app_session)
    cases.add_note(app_session, as_staff(adviser), case_id, "Internal")
    response = client.get(f"/api/v1/staff/cases/{reference.lower()}", headers=auth)
    assert response.status_code == 200
    body = response.get_json()
    assert body["reference"] == reference and body["team"] == PH
    assert body["permissions"] == {"work": True, "note": True}
    assert [(m["visibility"], m["body"]) for m in body["messages"]] == [("internal", "Internal")]
    assert [e["kind"] for e in body["events"]] == ["created", "routed", "note_added"]
    targets = {t["target"]: t for t in body["sla_targets"]}
    assert targets["first_response"]["target_minutes"] == 480
    assert targets["resolution"]["state"] in ("on_track", "at_risk", "breached")
    assert body["email"] == "teija@example.fi" and body["routing_rule"] == "paijat-hame"
    problem(client.get("/api/v1/staff/cases/TP-1999-000001", headers=auth), 404, "not-found")


def test_claim_reply_note_status_through_the_api(client, app_session, adviser, auth):
    reference, case_id = new_case(app_session)
    base = f"/api/v1/staff/cases/{reference}"
    claimed = client.post(f"{base}/claim", headers=auth)
    assert claimed.status_code == 200
    assert claimed.get_json()["status"] == "open"
    assert claimed.get_json()["assignee"] == {"id": adviser.id, "name": adviser.name}

    reply = client.post(f"{base}/replies", json={"body": "We can help"}, headers=auth)
    assert reply.status_code == 201
    assert (reply.get_json()["visibility"], reply.get_json()["author"]["id"]) == (
        "public",
        adviser.id,
    )
    note = client.post(f"{base}/notes", json={"body": "Call on Monday"}, headers=auth)
    assert note.status_code == 201 and note.get_json()["visibility"] == "internal"

    waiting = client.post(f"{base}/status", json={"status": "waiting"}, headers=auth)
    assert waiting.status_code == 200 and waiting.get_json()["status"] == "waiting"
    paused = {t["target"]: t["state"] for t in waiting.get_json()["sla_targets"]}
    assert paused == {"first_response": "met", "resolution": "paused"}

    same = client.post(f"{base}/status", json={"status": "waiting"}, headers=auth)
    problem(same, 409, "conflict")
    back = client.post(f"{base}/status", json={"status": "new"}, headers=auth)
    problem(back, 409, "conflict")
    unknown = client.post(f"{base}/status", json={"status": "lost"}, headers=auth)
    assert fields(problem(unknown, 422, "validation")) == {"status": "invalid"}
    blank = client.post(f"{base}/replies", json={"body": "  "}, headers=auth)
    assert fields(problem(blank, 422, "validation")) == {"body": "required"}
    problem(client.post(f"{base}/notes", data="x", headers=auth), 415, "unsupported-media-type")
    malformed = client.post(
        f"{base}/notes", data="{", content_type="application/json", headers=auth
    )
    problem(malformed, 400, "malformed-json")

    app_session.expire_all()
    stored = app_session.get(Case, case_id)
    assert stored.status == "waiting" and stored.first_response_at is not None
    kinds = [e.kind for e in stored.events]
    assert kinds.count("claimed") == 1 and "replied" in kinds and "note_added" in kinds
    assert len(app_session.scalars(select(CaseMessage)).all()) == 2
    app_session.rollback()

    for target in ("resolved", "closed"):
        client.post(f"{base}/status", json={"status": target}, headers=auth)
    closed = client.post(f"{base}/replies", json={"body": "More"}, headers=auth)
    problem(closed, 409, "conflict")
    problem(client.post(f"{base}/claim", headers=auth), 409, "conflict")


def test_assign_to_a_member_of_the_team(client, app_session, adviser, auth, staff):
    colleague = staff("colleague@example.fi")
    outsider = staff("lahti@example.fi", authority="lahti", teams=(LAHTI,))
    reference, _ = new_case(app_session)
    url = f"/api/v1/staff/cases/{reference}/assign"
    response = client.post(url, json={"assignee": colleague.id}, headers=auth)
    assert response.status_code == 200
    assert response.get_json()["assignee"]["id"] == colleague.id
    assert response.get_json()["events"][-1]["data"]["mode"] == "manual"
    refused = client.post(url, json={"assignee": outsider.id}, headers=auth)
    assert fields(problem(refused, 422, "validation")) == {"assignee": "not_a_member"}
    wrong = client.post(url, json={"assignee": "colleague"}, headers=auth)
    assert fields(problem(wrong, 422, "validation")) == {"assignee": "invalid"}
    missing = client.post(url, json={}, headers=auth)
    assert fields(problem(missing, 422, "validation")) == {"assignee": "required"}


def test_a_write_only_token_gets_only_the_outcome_of_its_action(
    client, app_session, adviser, token_for, staff
):
    colleague = staff("colleague@example.fi")
    reference, _ = new_case(app_session)
    headers = token_for(adviser, ("write",))
    base = f"/api/v1/staff/cases/{reference}"
    assigned = client.post(f"{base}/assign", json={"assignee": colleague.id}, headers=headers)
    assert assigned.status_code == 200
    body = assigned.get_json()
    assert set(body) == {"reference", "status", "team", "assignee", "updated_at"}
    assert (body["reference"], body["assignee"]["id"]) == (reference, colleague.id)
    text = assigned.get_data(as_text=True)
    for personal in ("contact_name", "email", "events", "messages", "description"):
        assert personal not in text
    status = client.post(f"{base}/status", json={"status": "waiting"}, headers=headers)
    assert set(status.get_json()) == {"reference", "status", "team", "assignee", "updated_at"}
    # The same action with a read scope answers the whole case.
    full = client.post(f"{base}/assign", json={"assignee": adviser.id}, headers=token_for(adviser))
    assert "events" in full.get_json() and "email" in full.get_json()


def test_messages_follow_the_domains_character_rules(client, app_session, auth):
    reference, case_id = new_case(app_session)
    base = f"/api/v1/staff/cases/{reference}"
    nul = client.post(f"{base}/notes", json={"body": "a\x00b"}, headers=auth)
    assert fields(problem(nul, 422, "validation")) == {"body": "invalid"}
    bell = client.post(f"{base}/replies", json={"body": "Ring\x07"}, headers=auth)
    assert fields(problem(bell, 422, "validation")) == {"body": "control_characters"}
    invisible = client.post(f"{base}/notes", json={"body": "\u200b\ufeff"}, headers=auth)
    assert fields(problem(invisible, 422, "validation")) == {"body": "required"}
    app_session.expire_all()
    assert app_session.get(Case, case_id).messages == []
    app_session.rollback()


def test_transfer_tells_whether_the_case_is_still_visible(client, app_session, auth):
    reference, _ = new_case(app_session)
    url = f"/api/v1/staff/cases/{reference}/transfer"
    invalid = client.post(url, json={"team": "nope", "reason": " "}, headers=auth)
    assert fields(problem(invalid, 422, "validation")) == {"team": "invalid", "reason": "required"}
    same = client.post(url, json={"team": PH, "reason": "x"}, headers=auth)
    assert fields(problem(same, 422, "validation")) == {"team": "same"}
    response = client.post(
        url, json={"team": LAHTI, "reason": "The workplace is in Lahti"}, headers=auth
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["team"], body["authority"], body["can_view"]) == (LAHTI, "lahti", False)
    assert body["reason"].endswith("The workplace is in Lahti")
    problem(client.get(f"/api/v1/staff/cases/{reference}", headers=auth), 404, "not-found")


def test_staff_and_public_submissions_share_the_database(client, auth):
    receipt = client.post("/api/v1/cases", json=submission()).get_json()
    # The reason in the request's language: the employer's here, as the receipt was.
    headers = {**auth, "Accept-Language": submission()["language"]}
    got = client.get(f"/api/v1/staff/cases/{receipt['reference']}", headers=headers)
    assert got.status_code == 200 and got.get_json()["routing_reason"] == receipt["reason"]
