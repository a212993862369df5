"""Routing on the advisers' pages: reasons, transfers, collaborating teams, followers,
absence, and the request form's question about affected employees."""

import re

import pytest

from desk.services import cases, key_accounts
from tests.conftest import login, raw_submission
from tests.support.actors import as_staff


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def ph(client, staff):
    staff("ph@example.fi")
    login(client, "ph@example.fi")
    return client


def test_the_case_page_shows_the_reason_and_the_rule(ph, app_session) -> None:
    case = cases.submit_case(app_session, raw_submission(language="en", municipality="Itis"))
    html = page(ph.get(f"/staff/cases/{case.reference}?lang=en"))
    assert "because the workplace is in Iitti (142)." in html
    assert "rule</span>" not in html  # the label is translated text, not markup
    # The rule by its conditions in the page's language, never its code.
    assert "(rule: Workplace: Asikkala (016)," in html
    assert "paijat-hame)" not in html


def test_transfer_needs_a_reason_and_keeps_what_was_typed(ph, app_session) -> None:
    case = cases.submit_case(app_session, raw_submission(language="en"))
    base = f"/staff/cases/{case.reference}"
    html = page(ph.get(base + "?lang=en"))
    assert 'id="transfer_team"' in html and "lahti-employer-services" in html
    response = ph.post(
        base + "/transfer?lang=en", data={"team": "lahti-employer-services", "reason": " "}
    )
    assert response.status_code == 422
    html = page(response)
    assert "Write why the case is transferred" in html
    assert re.search(r'value="lahti-employer-services"\s+selected', html)
    response = ph.post(base + "/transfer?lang=en", data={"team": "", "reason": "Lahti site"})
    assert response.status_code == 422
    assert "Select the team to transfer the case to" in page(response)
    assert "Lahti site</textarea>" in page(response)


def test_transfer_moves_the_case_and_the_employer_sees_why(ph, app_session, staff) -> None:
    case = cases.submit_case(app_session, raw_submission(language="en"))
    created, reference, token = case.created_at, case.reference, case.raw_token
    response = ph.post(
        f"/staff/cases/{reference}/transfer",
        data={"team": "lahti-employer-services", "reason": "The workplace is in Lahti"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staff/")  # no longer theirs to see
    employer = page(
        ph.application.test_client().get(f"/case/{token}?lang=en", follow_redirects=True)
    )
    assert (
        "Transferred to Lahti Employment Services, Lahti employer services. "
        "Reason: The workplace is in Lahti"
    ) in employer
    app_session.expire_all()
    stored = cases.get_case_by_token(app_session, token)
    assert stored.created_at == created  # the SLA clock keeps its start
    app_session.rollback()

    staff("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))
    lahti = ph.application.test_client()
    login(lahti, "lahti@example.fi")
    html = page(lahti.get(f"/staff/cases/{reference}?lang=en"))
    assert "Transferred" in html
    assert (
        "From Päijät-Häme employer services to Lahti employer services. "
        "Reason: The workplace is in Lahti" in html
    )
    assert "lahti-employer-services" not in html.split("<h2>History</h2>")[1]


def test_collaborating_team_reads_and_notes_but_does_not_reply(ph, app_session, staff) -> None:
    case = cases.submit_case(app_session, raw_submission(language="en"))
    staff("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))
    lahti = ph.application.test_client()
    login(lahti, "lahti@example.fi")
    assert lahti.get(f"/staff/cases/{case.reference}").status_code == 404

    base = f"/staff/cases/{case.reference}"
    assert "Add the other authority" in page(ph.get(base + "?lang=en"))
    assert (
        ph.post(base + "/collaborators", data={"team": "lahti-employer-services"}).status_code
        == 303
    )
    assert ph.post(base + "/collaborators", data={"team": "regional-intake"}).status_code == 409

    html = page(lahti.get(base + "?lang=en"))
    assert 'id="note_body"' in html and 'id="reply_body"' not in html
    assert "Claim this case" not in html and 'id="transfer_team"' not in html
    assert lahti.post(base + "/note", data={"body": "Our site in Lahti too"}).status_code == 303
    assert lahti.post(base + "/reply", data={"body": "Hello"}).status_code == 403
    assert case.reference in page(lahti.get("/staff/queues/watching?lang=en"))  # collaborating
    assert "Our site in Lahti too" in page(ph.get(base))

    remove = f"{base}/collaborators/lahti-employer-services/remove"
    assert ph.post(remove).status_code == 303
    assert lahti.get(base).status_code == 404


def test_key_account_follower_sees_the_case_in_their_list(client, app_session, staff) -> None:
    admin = staff("admin@example.fi", role="admin", teams=())
    adviser = staff("ka@example.fi", authority="lahti", teams=("lahti-employer-services",))
    key_accounts.name_key_account(app_session, as_staff(admin), "0112038-9", adviser.id)
    case = cases.submit_case(app_session, raw_submission(language="en"))
    login(client, "ka@example.fi")
    queue = page(client.get("/staff/queues/watching?lang=en"))  # the queue of followed cases
    assert "Cases you follow or collaborate on" in queue and case.reference in queue
    html = page(client.get(f"/staff/cases/{case.reference}?lang=en"))
    assert "Following (key-account adviser)" in html and "Ka" in html
    assert "Key-account adviser follows" in html  # the history
    assert 'id="reply_body"' not in html and 'id="note_body"' not in html


def test_an_adviser_marks_themself_absent_and_back(ph, app_session) -> None:
    html = page(ph.get("/staff/?lang=en"))
    assert "Mark me absent" in html
    assert ph.post("/staff/availability", data={"absent": "1"}).status_code == 303
    html = page(ph.get("/staff/?lang=en"))
    assert "No cases are assigned to you automatically." in html and "I am back" in html
    assert ph.post("/staff/availability", data={"absent": "0"}).status_code == 303
    assert "Mark me absent" in page(ph.get("/staff/?lang=en"))


def test_the_form_asks_for_affected_employees_for_change_security(client) -> None:
    html = page(client.get("/request?lang=en"))
    assert 'data-shown-for-need="change-security"' in html
    assert "Only if you chose lay-offs and change security" in html
    assert 'id="affected_employees"' in html  # present without JavaScript


def test_each_municipality_and_need_lands_where_domain_md_says(client, app_session) -> None:
    expected = {"398": "lahti-employer-services", "other": "regional-intake"}
    for municipality in ("398", "560", "other"):
        for need, affected, team in (
            ("recruitment", "", expected.get(municipality, "paijat-hame-employer-services")),
            ("international", "", "regional-international"),
            ("change-security", "12", "regional-change-security"),
        ):
            response = client.post(
                "/request?lang=en",
                data={
                    **raw_submission().__dict__,
                    "language": "en",
                    "municipality": municipality,
                    "municipality_other": "Tampere",
                    "need": need,
                    "affected_employees": affected,
                },
            )
            assert response.status_code == 303
            location = response.headers["Location"] + "&lang=en"
            html = page(client.get(location, follow_redirects=True))
            assert "Routed to" in html
            token = response.headers["Location"].split("/case/")[1].split("?")[0]
            assert cases.get_case_by_token(app_session, token).team.slug == team
            app_session.rollback()
