"""Canned responses' pages and insertion, merging and linking from the case page: access
(403/404), CSRF, kept input, redirects of a merged reference (staff, employer, API)."""

import pytest

from desk.models import Case
from desk.services import canned, cases
from tests.conftest import login, raw_submission
from tests.support.actors import as_staff

TEAM = "paijat-hame-employer-services"
VALUES = {
    "title_fi": "Kiitos",
    "body_fi": "Hei {contact_name}, asia {reference}.",
    "title_sv": "Tack",
    "body_sv": "Hej {contact_name}, ärende {reference}. Hälsningar {adviser_name}",
}


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def ph(client, staff):
    staff("ph@example.fi")
    login(client, "ph@example.fi")
    return client


@pytest.fixture
def manager(client, staff):
    user = staff("manager@example.fi", role="manager", teams=())
    login(client, "manager@example.fi")
    return user


# --- canned responses --------------------------------------------------------------------


def test_a_manager_keeps_the_teams_canned_responses(client, manager, app_session) -> None:
    base = f"/staff/teams/{TEAM}/canned-responses"
    assert TEAM in page(client.get("/staff/canned-responses?lang=en"))
    assert client.get(base + "?lang=en").status_code == 200
    # An unknown placeholder: a translated field error, everything typed kept.
    response = client.post(base + "/new?lang=en", data={**VALUES, "body_sv": "Hej {namn}"})
    assert response.status_code == 422
    html = page(response)
    assert "Unknown placeholder {namn}" in html and "Hej {namn}</textarea>" in html
    assert 'value="Tack"' in html
    response = client.post(base + "/new?lang=fi", data={**VALUES, "title_fi": ""})
    assert response.status_code == 422 and "Kirjoita otsikko suomeksi" in page(response)
    assert client.post(base + "/new", data=VALUES).status_code == 303
    _, rows = canned.team_responses(app_session, as_staff(manager), TEAM)
    row_id = rows[0].id
    assert "Kiitos" in page(client.get(base + "?lang=en"))
    edited = client.post(f"{base}/{row_id}", data={**VALUES, "title_fi": "Kiitos paljon"})
    assert edited.status_code == 303
    assert client.post(f"{base}/{row_id}/active", data={"active": "0"}).status_code == 303
    app_session.expire_all()
    _, rows = canned.team_responses(app_session, as_staff(manager), TEAM)
    assert (rows[0].title_fi, rows[0].active) == ("Kiitos paljon", False)
    assert client.get(f"/staff/teams/{TEAM}/canned-responses/999999").status_code == 404
    assert client.get("/staff/teams/no-such-team/canned-responses").status_code == 404


def test_advisers_and_other_authorities_may_not_keep_them(client, staff) -> None:
    staff("ph@example.fi")
    login(client, "ph@example.fi")
    assert client.get(f"/staff/teams/{TEAM}/canned-responses").status_code == 403
    assert client.post(f"/staff/teams/{TEAM}/canned-responses/new", data=VALUES).status_code == 403
    assert client.get("/staff/canned-responses").status_code == 403
    staff("lm@example.fi", role="manager", authority="lahti", teams=())
    login(client, "lm@example.fi")
    assert client.get(f"/staff/teams/{TEAM}/canned-responses").status_code == 403


def test_the_canned_form_checks_csrf_and_keeps_input(app, client, manager) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/staff/teams/{TEAM}/canned-responses/new?lang=en", data=VALUES)
    assert response.status_code == 400
    assert "Your session expired" in page(response) and 'value="Tack"' in page(response)


def test_inserting_a_swedish_answer_without_javascript(ph, app_session, staff) -> None:
    manager = staff("m2@example.fi", role="manager", teams=())
    row = canned.save(app_session, as_staff(manager), TEAM, VALUES)
    case = cases.submit_case(app_session, raw_submission(language="sv"))
    html = page(ph.get(f"/staff/cases/{case.reference}?lang=en"))
    assert 'name="canned"' in html and "Kiitos" in html  # titled in the reader's language
    html = page(ph.get(f"/staff/cases/{case.reference}?lang=en&canned={row.id}"))
    assert f"Hej Teija Työnantaja, ärende {case.reference}. Hälsningar Ph</textarea>" in html
    assert "Inserted “Tack”" in html
    data = ph.get(f"/staff/cases/{case.reference}/canned/{row.id}").get_json()
    assert data["language"] == "sv" and data["text"].startswith("Hej Teija")
    english = cases.submit_case(app_session, raw_submission(language="en"))
    fallback = page(ph.get(f"/staff/cases/{english.reference}?lang=en&canned={row.id}"))
    assert "no English text: the Finnish one was inserted" in fallback
    assert f"Hei Teija Työnantaja, asia {english.reference}.</textarea>" in fallback
    # Another team's adviser may not open the case, nor render into it.
    staff("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))
    login(ph, "lahti@example.fi")
    assert ph.get(f"/staff/cases/{case.reference}/canned/{row.id}").status_code == 404


# --- merge and links ---------------------------------------------------------------------


def test_merge_from_the_case_page_and_the_merged_reference_redirects(
    ph, app_session, client
) -> None:
    target = cases.submit_case(app_session, raw_submission())
    duplicate = cases.submit_case(app_session, raw_submission(language="sv"))
    dup_ref, dup_token = duplicate.reference, duplicate.raw_token
    response = ph.post(f"/staff/cases/{dup_ref}/merge", data={"merge_reference": dup_ref})
    assert response.status_code == 409
    assert f'value="{dup_ref}"' in page(response)
    response = ph.post(f"/staff/cases/{dup_ref}/merge?lang=en", data={"merge_reference": "TP-1"})
    assert response.status_code == 422 and "no case with that reference" in page(response)
    response = ph.post(f"/staff/cases/{dup_ref}/merge", data={"merge_reference": target.reference})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/staff/cases/{target.reference}")
    redirect = ph.get(f"/staff/cases/{dup_ref}?lang=en")
    assert redirect.status_code == 303
    assert redirect.headers["Location"].endswith(f"/staff/cases/{target.reference}")
    assert "was merged into this case" in page(ph.get(redirect.headers["Location"] + "?lang=en"))
    # The employer's private link says so (same contact email: the other case is named).
    employer = page(
        ph.application.test_client().get(f"/case/{dup_token}?lang=en", follow_redirects=True)
    )
    assert f"was combined with your request {target.reference}" in employer
    app_session.expire_all()
    assert app_session.get(Case, duplicate.id).merged_into_id == target.id


def test_merging_into_another_teams_case_is_refused(ph, app_session, staff) -> None:
    mine = cases.submit_case(app_session, raw_submission())
    lahti = cases.submit_case(app_session, raw_submission(municipality="398"))
    response = ph.post(
        f"/staff/cases/{mine.reference}/merge", data={"merge_reference": lahti.reference}
    )
    assert response.status_code == 422  # not visible: said as "no such case", nothing revealed
    staff("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))
    login(ph, "lahti@example.fi")
    response = ph.post(
        f"/staff/cases/{mine.reference}/merge", data={"merge_reference": lahti.reference}
    )
    assert response.status_code == 404


def test_a_merge_target_employer_of_another_email_is_not_named(ph, app_session) -> None:
    target = cases.submit_case(app_session, raw_submission(email="someone@example.fi"))
    duplicate = cases.submit_case(app_session, raw_submission())
    token = duplicate.raw_token
    ph.post(f"/staff/cases/{duplicate.reference}/merge", data={"merge_reference": target.reference})
    employer = page(
        ph.application.test_client().get(f"/case/{token}?lang=en", follow_redirects=True)
    )
    assert "combined with another request" in employer and target.reference not in employer


def test_the_api_reports_merged_into(app, app_session, staff) -> None:
    from desk.services import api_tokens, merge

    admin = staff("admin@example.fi", role="admin", teams=())
    target = cases.submit_case(app_session, raw_submission())
    duplicate = cases.submit_case(app_session, raw_submission())
    merge.merge(app_session, as_staff(admin), duplicate.id, target.reference)
    created = api_tokens.create_token(app_session, as_staff(admin), admin.id, "t", ["read"])
    headers = {"Authorization": f"Bearer {created.secret}"}
    body = app.test_client().get(f"/api/v1/staff/cases/{duplicate.reference}", headers=headers)
    assert body.status_code == 200 and body.get_json()["merged_into"] == target.reference
    other = app.test_client().get(f"/api/v1/staff/cases/{target.reference}", headers=headers)
    assert other.get_json()["merged_into"] is None


def test_links_show_on_both_pages_and_hide_what_the_reader_may_not_open(
    ph, app_session, staff
) -> None:
    one = cases.submit_case(app_session, raw_submission())
    other = cases.submit_case(app_session, raw_submission())
    response = ph.post(f"/staff/cases/{one.reference}/links", data={"link_reference": " "})
    assert response.status_code == 422
    response = ph.post(
        f"/staff/cases/{one.reference}/links", data={"link_reference": other.reference.lower()}
    )
    assert response.status_code == 303
    assert other.reference in page(ph.get(f"/staff/cases/{one.reference}"))
    assert one.reference in page(ph.get(f"/staff/cases/{other.reference}"))
    again = ph.post(f"/staff/cases/{other.reference}/links", data={"link_reference": one.reference})
    assert again.status_code == 409
    # A Lahti case linked by an admin: the Päijät-Häme adviser sees that it exists, no more.
    from desk.services import case_links

    admin = staff("admin@example.fi", role="admin", teams=())
    lahti = cases.submit_case(app_session, raw_submission(municipality="398"))
    hidden = case_links.link(app_session, as_staff(admin), lahti.id, one.reference)
    login(ph, "ph@example.fi")
    html = page(ph.get(f"/staff/cases/{one.reference}?lang=en"))
    assert "A linked case you cannot open" in html and lahti.reference not in html
    removed = ph.post(f"/staff/cases/{one.reference}/links/{hidden.id}/delete")
    assert removed.status_code == 403


def test_merge_and_link_forms_check_csrf(app, ph, app_session) -> None:
    one = cases.submit_case(app_session, raw_submission())
    app.config["WTF_CSRF_ENABLED"] = True
    response = ph.post(f"/staff/cases/{one.reference}/merge", data={"merge_reference": "X-1"})
    assert response.status_code == 400 and 'value="X-1"' in page(response)
    response = ph.post(f"/staff/cases/{one.reference}/links", data={"link_reference": "Y-2"})
    assert response.status_code == 400 and 'value="Y-2"' in page(response)
    assert ph.post(f"/staff/cases/{one.reference}/links/1/delete").status_code == 400


def test_the_duplicates_own_page_stays_reachable_from_the_targets_history(ph, app_session) -> None:
    target = cases.submit_case(app_session, raw_submission())
    duplicate = cases.submit_case(app_session, raw_submission())
    ph.post(f"/staff/cases/{duplicate.reference}/merge", data={"merge_reference": target.reference})
    html = page(ph.get(f"/staff/cases/{target.reference}?lang=en"))
    assert f"/staff/cases/{duplicate.reference}?stay=1" in html
    own = ph.get(f"/staff/cases/{duplicate.reference}?stay=1&lang=en")
    assert own.status_code == 200
    assert f"This case was merged into {target.reference}." in page(own)
    assert 'id="merge_reference"' not in page(own)  # merged once, never again
