"""The access rules through the API, and that the staff pages answer the same way.

One case in the Päijät-Häme employer-services team, seen by: an adviser of the team, an
adviser of another team, a manager of the case's authority and one of the other authority,
an administrator, a key-account adviser who follows the case, and a member of the other
authority's employer services collaborating on it. Each of them tries each operation.
"""

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from desk.models import Team, User
from desk.services import cases, collaboration, key_accounts
from tests.api.conftest import LAHTI, PH
from tests.conftest import PASSWORD, login, raw_submission
from tests.support.actors import as_staff

ACTORS = {
    # name: (role, authority, teams)
    "team_adviser": ("adviser", "paijat-hame", (PH,)),
    "other_adviser": ("adviser", "lahti", ("regional-international",)),
    "manager": ("manager", "paijat-hame", ()),
    "other_manager": ("manager", "lahti", ()),
    "admin": ("admin", "lahti", ()),
    "follower": ("adviser", "lahti", ("regional-intake",)),
    "collaborator": ("adviser", "lahti", (LAHTI,)),
}

# Expected API status per operation and actor: read and list need only to see; notes also
# suit a collaborating team; everything else needs to work on the case.
READ = {"team_adviser": 200, "manager": 200, "admin": 200, "follower": 200, "collaborator": 200}
LIST = {"team_adviser": 200, "manager": 200, "admin": 200}
NOTE = {"team_adviser": 201, "admin": 201, "collaborator": 201}
WORK_OK = {"team_adviser", "admin"}


def expected(operation: str, actor: str) -> int:
    sees = actor in READ
    if operation == "read":
        return READ.get(actor, 404)
    if operation == "list":
        return LIST.get(actor, 403)
    if not sees:
        return 404  # a case they may not see is not there for them
    if operation == "note":
        return NOTE.get(actor, 403)
    if actor in WORK_OK:
        return 201 if operation in ("reply", "ask") else 200
    return 403


OPERATIONS = {
    # name: (method, path after the case, JSON body)
    "read": ("GET", "", None),
    "claim": ("POST", "/claim", None),
    "reply": ("POST", "/replies", {"body": "Public answer"}),
    "note": ("POST", "/notes", {"body": "Internal note"}),
    "ask": ("POST", "/questions", {"body": "Which weeks suit you?"}),
    "status": ("POST", "/status", {"status": "waiting"}),
    "transfer": ("POST", "/transfer", {"team": "regional-intake", "reason": "Refer on"}),
    "assign": ("POST", "/assign", None),  # body needs the team adviser's id
}
# The staff pages' equivalents: (path after /staff/cases/<ref>, form data).
PAGES = {
    "read": ("", None),
    "claim": ("/claim", {}),
    "reply": ("/reply", {"body": "Public answer"}),
    "note": ("/note", {"body": "Internal note"}),
    "ask": ("/ask", {"body": "Which weeks suit you?"}),
    "resolve": ("/resolve", {"resolution_category": "advice_given"}),
    "follow-up": ("/follow-up", {"date": "2099-01-01"}),
    "details": ("/details", {"need": "pay-subsidy", "municipality": "560"}),
    "status": ("/status", {"status": "waiting"}),
    "transfer": ("/transfer", {"team": "regional-intake", "reason": "Refer on"}),
}

# Page actions the API does not have: the API operation that needs the same permission.
API_TWIN = {"resolve": "status", "follow-up": "status", "details": "status"}


@pytest.fixture
def world(app_session, token_for):
    # Users with a cheap password hash: seven scrypt hashes per test would dominate the run.
    quick = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    by_slug = {team.slug: team for team in app_session.scalars(select(Team))}
    people = {}
    for name, (role, authority, teams) in ACTORS.items():
        people[name] = User(
            email=f"matrix-{name}@example.fi",
            name=name,
            password_hash=quick,
            role=role,
            authority_slug=authority,
            languages="fi",
            ui_language="fi",
            teams=[by_slug[slug] for slug in teams],
        )
        app_session.add(people[name])
    app_session.commit()
    key_accounts.name_key_account(
        app_session, as_staff(people["admin"]), "0112038-9", people["follower"].id
    )

    def fresh_case() -> str:
        case = cases.submit_case(app_session, raw_submission())
        if not case.collaborators:
            collaboration.add_collaborator(
                app_session, as_staff(people["team_adviser"]), case.id, LAHTI
            )
        assert [f.user_id for f in case.followers] == [people["follower"].id]
        return case.reference

    tokens = {name: token_for(user) for name, user in people.items()}
    return people, tokens, fresh_case


def api_status(client, people, tokens, reference, operation, actor) -> int:
    if operation == "list":
        response = client.get(f"/api/v1/staff/teams/{PH}/cases", headers=tokens[actor])
        listed = [item["reference"] for item in response.get_json().get("items", [])]
        assert (reference in listed) == (response.status_code == 200)
        return int(response.status_code)
    method, suffix, body = OPERATIONS[operation]
    if operation == "assign":
        body = {"assignee": people["team_adviser"].id}
    url = f"/api/v1/staff/cases/{reference}{suffix}"
    return int(client.open(url, method=method, json=body, headers=tokens[actor]).status_code)


@pytest.mark.parametrize("operation", [*OPERATIONS, "list"])
def test_the_api_applies_the_access_rules(client, world, operation) -> None:
    people, tokens, fresh_case = world
    got = {
        actor: api_status(client, people, tokens, fresh_case(), operation, actor)
        for actor in ACTORS
    }
    assert got == {actor: expected(operation, actor) for actor in ACTORS}


@pytest.mark.parametrize("operation", list(PAGES))
def test_the_staff_pages_answer_the_same(app, world, operation) -> None:
    """One implementation of the rules: where the API says yes, the page does too."""
    people, tokens, fresh_case = world
    answers = {}
    for actor in ACTORS:
        twin = API_TWIN.get(operation, operation)
        api = api_status(app.test_client(), people, tokens, fresh_case(), twin, actor)
        browser = app.test_client()
        assert login(browser, f"matrix-{actor}@example.fi").status_code == 302
        path, form = PAGES[operation]
        url = f"/staff/cases/{fresh_case()}{path}"
        page = browser.get(url) if form is None else browser.post(url, data=form)
        # A page answers a permitted action with 200 (GET) or a 303 redirect.
        page_status = 200 if page.status_code == 303 else page.status_code
        answers[actor] = (api if api != 201 else 200, page_status)
    assert all(api == page for api, page in answers.values()), answers
