"""The administrators' routing pages: rules, draft, validation, dry run, publishing, history,
team assignment, key-account advisers and availability."""

import re

import pytest

from desk.services import cases, routing_rules
from tests.conftest import login, raw_submission


@pytest.fixture
def admin_client(client, staff):
    staff("admin@example.fi", role="admin", authority="lahti", teams=())
    login(client, "admin@example.fi")
    return client


def page(response) -> str:
    return response.get_data(as_text=True)


NEW_RULE = {
    "base_version": "1",
    "id": "lahti-recruitment",
    "team": "regional-intake",
    "before": "lahti",
    "municipalities": ["398"],
    "needs": ["recruitment"],
    "enabled": "1",
}


def test_routing_pages_are_for_administrators_only(client, staff) -> None:
    assert client.get("/admin/routing/").status_code == 302
    staff("adviser@example.fi")
    login(client, "adviser@example.fi")
    for path in (
        "/admin/routing/",
        "/admin/routing/rules/new",
        "/admin/routing/versions",
        "/admin/routing/teams",
        "/admin/routing/key-accounts",
        "/admin/routing/availability",
        "/admin/routing/dry-run?days=7",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post("/admin/routing/publish", data={"base_version": "1"}).status_code == 403
    assert client.post("/admin/routing/rules/new", data=NEW_RULE).status_code == 403


def test_the_rules_page_lists_the_rules_in_force(admin_client) -> None:
    html = page(admin_client.get("/admin/routing/?lang=en"))
    ids = re.findall(r'data-rule="([a-z0-9-]+)"', html)
    assert ids == [
        "international",
        "change-security-large",
        "outside-region",
        "lahti",
        "paijat-hame",
        "fallback",
    ]
    assert "Version 1 routes new requests" in html
    assert "Any request (catch-all)" in html
    assert "Workplace: Lahti (398)" in html
    assert "At least 10 affected employees" in html
    assert "outside the ten or unknown" in html
    assert 'href="/admin/routing/"' in page(admin_client.get("/staff/"))  # in the main menu


def test_adding_a_rule_makes_a_draft_then_dry_run_and_publish(admin_client, app_session) -> None:
    lahti = cases.submit_case(app_session, raw_submission(municipality="Lahti"))
    cases.submit_case(app_session, raw_submission(municipality="Heinola"))

    response = admin_client.post("/admin/routing/rules/new?lang=en", data=NEW_RULE)
    assert response.status_code == 303
    html = page(admin_client.get("/admin/routing/?lang=en"))
    assert "Saved as draft version 2" in html
    assert "You are editing draft version 2" in html
    assert re.findall(r'data-rule="([a-z0-9-]+)"', html)[3] == "lahti-recruitment"

    html = page(admin_client.get("/admin/routing/dry-run?days=30&lang=en"))
    assert "1 of 2 cases would move." in html
    assert "Lahti Employment Services – Lahti employer services" in html
    assert "Lahti Employment Services – Regional intake team" in html
    assert lahti.reference in html

    response = admin_client.post("/admin/routing/publish?lang=en", data={"base_version": "2"})
    assert response.status_code == 303
    html = page(admin_client.get("/admin/routing/?lang=en"))
    assert "Version 2 published" in html and "Version 2 routes new requests" in html
    case = cases.submit_case(app_session, raw_submission(municipality="Lahti"))
    assert (case.team.slug, case.routing_rule) == ("regional-intake", "lahti-recruitment")
    app_session.rollback()  # end the read, releasing SQLite's lock for the app

    history = page(admin_client.get("/admin/routing/versions?lang=en"))
    assert "Rule added" in history and "lahti-recruitment" in history
    assert "Admin" in history  # who
    assert re.search(r'data-testid="version-2".*?In force', history, re.S)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {**NEW_RULE, "before": ""},
            "Rule “lahti-recruitment” can never apply: rule “lahti” above it already matches",
        ),
        (
            {**NEW_RULE, "team": "no-such-team"},
            "Rule “lahti-recruitment” sends requests to an unknown team “no-such-team”.",
        ),
        (
            {**NEW_RULE, "municipalities": [], "needs": [], "before": ""},
            "Rule “fallback” can never apply: rule “lahti-recruitment” above it",
        ),
        ({**NEW_RULE, "id": "Not valid!"}, "Use lower-case letters a–z, digits and hyphens"),
        ({**NEW_RULE, "id": "lahti"}, "A rule with this id exists already"),
        ({**NEW_RULE, "min_affected": "ten"}, "Enter the number of employees as a whole number"),
        ({**NEW_RULE, "team": ""}, "Select the team that receives the request"),
    ],
)
def test_invalid_rules_are_refused_with_a_message_naming_the_problem(
    admin_client, app_session, data, message
) -> None:
    response = admin_client.post("/admin/routing/rules/new?lang=en", data=data)
    assert response.status_code == 422
    html = page(response)
    assert message in html
    assert "There is a problem" in html
    # Nothing typed is lost.
    assert f'value="{data["id"]}"' in html
    if data["municipalities"]:
        assert re.search(r'value="398"\s+checked', html)
    assert [v.number for v in routing_rules.versions(app_session)] == [1]
    app_session.rollback()


def test_disabling_the_catch_all_or_moving_it_up_is_refused(admin_client) -> None:
    response = admin_client.post(
        "/admin/routing/rules/fallback/toggle?lang=en", data={"base_version": "1", "enabled": "0"}
    )
    assert response.status_code == 422
    assert "A catch-all rule is missing" in page(response)
    response = admin_client.post(
        "/admin/routing/rules/fallback/move?lang=en", data={"base_version": "1", "direction": "up"}
    )
    assert response.status_code == 422
    assert "Rule “paijat-hame” can never apply: rule “fallback” above it" in page(response)


def test_edit_move_disable_delete_and_stale_versions(admin_client) -> None:
    form = page(admin_client.get("/admin/routing/rules/lahti?lang=en"))
    assert re.search(r'value="398"\s+checked', form)
    assert 'value="lahti-employer-services" selected' in form
    response = admin_client.post(
        "/admin/routing/rules/lahti?lang=en",
        data={
            "base_version": "1",
            "team": "lahti-employer-services",
            "municipalities": ["398"],
            "languages": ["fi", "sv"],
            "enabled": "1",
        },
    )
    assert response.status_code == 303
    html = page(admin_client.get("/admin/routing/?lang=en"))
    assert "Language: suomi, svenska" in html and "Changed" in html
    assert (
        admin_client.post(
            "/admin/routing/rules/lahti/move", data={"base_version": "2", "direction": "up"}
        ).status_code
        == 303
    )
    assert (
        admin_client.post(
            "/admin/routing/rules/lahti/toggle", data={"base_version": "3", "enabled": "0"}
        ).status_code
        == 303
    )
    assert (
        admin_client.post(
            "/admin/routing/rules/lahti/delete", data={"base_version": "4"}
        ).status_code
        == 303
    )
    response = admin_client.post(
        "/admin/routing/rules/paijat-hame/move?lang=en",
        data={"base_version": "2", "direction": "up"},
    )
    assert response.status_code == 409
    assert "Another administrator changed the rules meanwhile" in page(response)
    assert admin_client.get("/admin/routing/rules/lahti").status_code == 404
    assert (
        admin_client.post("/admin/routing/discard", data={"base_version": "5"}).status_code == 303
    )
    versions = page(admin_client.get("/admin/routing/versions?lang=en"))
    for action in ("Rule edited", "Rule moved", "Rule disabled", "Rule deleted", "Draft discarded"):
        assert action in versions
    assert page(admin_client.get("/admin/routing/versions/3?lang=en")).count("data-rule=") == 6
    assert (
        admin_client.post(
            "/admin/routing/versions/2/restore", data={"base_version": "6"}
        ).status_code
        == 303
    )
    assert "You are editing draft version 7" in page(admin_client.get("/admin/routing/?lang=en"))


def test_dry_run_days_are_validated(admin_client) -> None:
    response = admin_client.get("/admin/routing/dry-run?days=0&lang=en")
    assert response.status_code == 422
    assert "Enter a whole number of days from 1 to 366" in page(response)
    assert "0 of 0 cases would move." in page(
        admin_client.get("/admin/routing/dry-run?days=7&lang=en")
    )


def test_team_assignment_and_availability(admin_client, staff, app_session) -> None:
    adviser = staff("adviser@example.fi")
    html = page(admin_client.get("/admin/routing/teams?lang=en"))
    assert "Round robin" in html and 'id="mode-paijat-hame-employer-services"' in html
    response = admin_client.post(
        "/admin/routing/teams/paijat-hame-employer-services",
        data={"assignment_mode": "round_robin"},
    )
    assert response.status_code == 303
    assert cases.submit_case(app_session, raw_submission()).assignee_id == adviser.id
    assert (
        admin_client.post(
            "/admin/routing/teams/nope", data={"assignment_mode": "queue"}
        ).status_code
        == 404
    )
    assert (
        admin_client.post(
            "/admin/routing/teams/regional-intake", data={"assignment_mode": "lottery"}
        ).status_code
        == 422
    )

    assert "adviser@example.fi" in page(admin_client.get("/admin/routing/availability"))
    response = admin_client.post(f"/admin/routing/availability/{adviser.id}", data={"absent": "1"})
    assert response.status_code == 303
    app_session.expire_all()
    assert cases.submit_case(app_session, raw_submission()).assignee_id is None
    assert "Absent" in page(admin_client.get("/admin/routing/availability?lang=en"))


def test_key_account_advisers(admin_client, staff) -> None:
    staff("adviser@example.fi")
    html = page(admin_client.get("/admin/routing/key-accounts?lang=en"))
    assert "No key-account advisers named yet." in html
    response = admin_client.post(
        "/admin/routing/key-accounts?lang=en", data={"business_id": "0112038-8", "adviser": ""}
    )
    assert response.status_code == 422
    html = page(response)
    assert "Check the Business ID" in html and "Select the key-account adviser" in html
    assert 'value="0112038-8"' in html
    adviser_id = re.search(r'<option value="(\d+)" >Adviser', html).group(1)
    response = admin_client.post(
        "/admin/routing/key-accounts?lang=en",
        data={"business_id": "0112038-9", "adviser": adviser_id},
    )
    assert response.status_code == 303
    html = page(admin_client.get("/admin/routing/key-accounts?lang=en"))
    assert "Adviser is the key-account adviser of 0112038-9." in html
    assert html.count('data-testid="key-account"') == 1
    response = admin_client.post("/admin/routing/key-accounts/0112038-9/remove")
    assert response.status_code == 303
    assert admin_client.post("/admin/routing/key-accounts/0112038-9/remove").status_code == 404
