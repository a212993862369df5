"""Working a case from its page: assign, ask the employer, follow-up, need and municipality
with the re-routing offer, resolve with a category, reopen, and the claim conflict."""

import re

from sqlalchemy import select

from desk.models import Case, OutboxMessage
from desk.services import cases
from tests.conftest import login, raw_submission


def submit(app_session, **changes):
    return cases.submit_case(app_session, raw_submission(**changes))


def page_of(client, case, lang="en"):
    return client.get(f"/staff/cases/{case.reference}?lang={lang}")


def emails(app_session):
    rows = app_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [row.kind for row in rows if row.kind.startswith("email.")]


def test_the_page_offers_the_actions_in_english_finnish_and_swedish(
    client, app_session, staff
) -> None:
    staff("a@example.fi")
    case = submit(app_session)
    login(client, "a@example.fi")
    page = page_of(client, case).get_data(as_text=True)
    for text in (
        "Claim this case",
        "Assign to",
        "Ask the employer for information",
        "Follow-up date",
        "Need and municipality",
        "How was the case resolved?",
    ):
        assert text in page
    assert 'for="assignee"' in page and 'id="ask_body"' in page
    # Waiting and resolved are their own actions, not plain status choices.
    status_select = page[page.index('id="status"') :]
    status_select = status_select[: status_select.index("</select>")]
    assert 'value="waiting"' not in status_select and 'value="resolved"' not in status_select
    assert "Pyydä työnantajalta lisätietoja" in page_of(client, case, "fi").get_data(as_text=True)
    assert "Be arbetsgivaren om mer information" in page_of(client, case, "sv").get_data(
        as_text=True
    )


def test_asking_the_employer_sends_one_email_and_the_case_waits(client, app_session, staff) -> None:
    staff("a@example.fi")
    case = submit(app_session)
    login(client, "a@example.fi")
    before = emails(app_session)
    response = client.post(f"/staff/cases/{case.reference}/ask", data={"body": "Which dates?"})
    assert response.status_code == 303
    app_session.expire_all()
    assert app_session.get(Case, case.id).status == "waiting"
    assert emails(app_session)[len(before) :] == ["email.information_requested"]
    page = page_of(client, case).get_data(as_text=True)
    assert "Which dates?" in page and "Information requested from the employer" in page


def test_an_empty_question_is_explained_and_a_long_one_kept(client, app_session, staff) -> None:
    staff("a@example.fi")
    case = submit(app_session)
    login(client, "a@example.fi")
    response = client.post(f"/staff/cases/{case.reference}/ask?lang=en", data={"body": " "})
    assert response.status_code == 422
    assert "Write your question to the employer" in response.get_data(as_text=True)
    long = "x" * 5001
    response = client.post(f"/staff/cases/{case.reference}/ask?lang=en", data={"body": long})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "at most 5,000 characters" in text and long in text


def test_assigning_a_colleague_through_the_form(client, app_session, staff) -> None:
    staff("a@example.fi")
    colleague = staff("b@example.fi")
    outsider = staff("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))
    case = submit(app_session)
    login(client, "a@example.fi")
    page = page_of(client, case).get_data(as_text=True)
    assert f'value="{colleague.id}"' in page and f'value="{outsider.id}"' not in page
    base = f"/staff/cases/{case.reference}"
    bad = client.post(f"{base}/assign?lang=en", data={"assignee": str(outsider.id)})
    assert bad.status_code == 422
    assert "Select an active member of the case&#39;s team" in bad.get_data(as_text=True)
    assert client.post(f"{base}/assign?lang=en", data={"assignee": ""}).status_code == 422
    assert client.post(f"{base}/assign", data={"assignee": str(colleague.id)}).status_code == 303
    app_session.expire_all()
    assert app_session.get(Case, case.id).assignee_id == colleague.id


def test_claiming_a_case_a_colleague_holds_is_a_friendly_409(client, app_session, staff) -> None:
    first = staff("a@example.fi")
    staff("b@example.fi")
    case = submit(app_session)
    cases.claim(app_session, _actor(first), case.id)
    login(client, "b@example.fi")
    response = client.post(f"/staff/cases/{case.reference}/claim?lang=en")
    assert response.status_code == 409
    assert "Someone else claimed this case a moment ago" in response.get_data(as_text=True)


def _actor(user):
    from tests.support.actors import as_staff

    return as_staff(user)


def test_follow_up_is_set_shown_refused_in_the_past_and_removed(client, app_session, staff) -> None:
    staff("a@example.fi")
    case = submit(app_session)
    login(client, "a@example.fi")
    base = f"/staff/cases/{case.reference}/follow-up"
    past = client.post(f"{base}?lang=en", data={"date": "2020-01-01", "time": "10:00"})
    assert past.status_code == 422
    text = past.get_data(as_text=True)
    assert "The follow-up date must be today or later" in text and 'value="2020-01-01"' in text
    assert (
        client.post(f"{base}?lang=en", data={"date": "2099-01-02", "time": "14:30"}).status_code
        == 303
    )
    page = page_of(client, case).get_data(as_text=True)
    assert "Follow up on 2 Jan 2099, 14:30." in page
    assert 'value="2099-01-02"' in page and 'value="14:30"' in page
    assert client.post(base, data={"clear": "1"}).status_code == 303
    app_session.expire_all()
    assert app_session.get(Case, case.id).follow_up_at is None


def test_changing_the_municipality_offers_the_transfer_the_rules_would_make(
    client, app_session, staff
) -> None:
    staff("a@example.fi")
    case = submit(app_session)
    login(client, "a@example.fi")
    base = f"/staff/cases/{case.reference}"
    bad = client.post(
        f"{base}/details?lang=en", data={"need": "recruitment", "municipality": "other"}
    )
    assert bad.status_code == 422 and "Enter the name of the municipality" in bad.get_data(
        as_text=True
    )
    done = client.post(f"{base}/details", data={"need": "recruitment", "municipality": "398"})
    assert done.status_code == 303
    page = page_of(client, case).get_data(as_text=True)
    assert 'data-testid="rerouting"' in page and "Transfer to Lahti" in page
    reason = re.search(r'name="reason" value="([^"]+)"', page)
    assert reason is not None
    moved = client.post(
        f"{base}/transfer", data={"team": "lahti-employer-services", "reason": reason.group(1)}
    )
    assert moved.status_code == 303
    app_session.expire_all()
    assert app_session.get(Case, case.id).team.slug == "lahti-employer-services"


def test_resolving_requires_a_category_and_a_resolved_case_reopens(
    client, app_session, staff
) -> None:
    staff("a@example.fi")
    case = submit(app_session)
    login(client, "a@example.fi")
    base = f"/staff/cases/{case.reference}"
    missing = client.post(f"{base}/resolve?lang=en", data={"resolution_category": ""})
    assert missing.status_code == 422
    assert "Select how the case was resolved" in missing.get_data(as_text=True)
    # The plain status form cannot skip the category either.
    assert client.post(f"{base}/status", data={"status": "resolved"}).status_code == 422
    done = client.post(f"{base}/resolve", data={"resolution_category": "advice_given"})
    assert done.status_code == 303
    app_session.expire_all()
    assert app_session.get(Case, case.id).resolution_category == "advice_given"
    page = page_of(client, case).get_data(as_text=True)
    assert "Advice or information given" in page and "Reopen the case" in page
    assert client.post(f"{base}/reopen").status_code == 303
    app_session.expire_all()
    assert app_session.get(Case, case.id).status == "open"
    assert client.post(f"{base}/reopen?lang=en").status_code == 409


def test_other_teams_and_readers_may_not_work_the_case(client, app_session, staff) -> None:
    staff("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))
    staff("manager@example.fi", role="manager", teams=())
    case = submit(app_session)
    base = f"/staff/cases/{case.reference}"
    actions = {
        "assign": {"assignee": "1"},
        "ask": {"body": "Hi"},
        "follow-up": {"date": "2099-01-01"},
        "details": {"need": "recruitment", "municipality": "398"},
        "resolve": {"resolution_category": "other"},
        "reopen": {},
    }
    login(client, "lahti@example.fi")
    for action, data in actions.items():
        assert client.post(f"{base}/{action}", data=data).status_code == 404, action
    client.get("/logout")
    login(client, "manager@example.fi")  # may read the authority's cases, not work them
    assert "Ask the employer for information" not in page_of(client, case).get_data(as_text=True)
    for action, data in actions.items():
        assert client.post(f"{base}/{action}", data=data).status_code == 403, action


def test_an_expired_session_keeps_what_was_typed(app, client, app_session, staff) -> None:
    staff("a@example.fi")
    case = submit(app_session)
    login(client, "a@example.fi")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/staff/cases/{case.reference}/ask?lang=en", data={"body": "Kept?"})
    assert response.status_code == 400
    assert "Kept?" in response.get_data(as_text=True)


def test_the_history_tells_the_follow_up_the_details_and_the_resolution(
    client, app_session, staff
) -> None:
    staff("a@example.fi")
    case = submit(app_session)
    login(client, "a@example.fi")
    base = f"/staff/cases/{case.reference}"
    client.post(f"{base}/follow-up", data={"date": "2099-03-04", "time": "08:15"})
    client.post(f"{base}/details", data={"need": "pay-subsidy", "municipality": "560"})
    client.post(f"{base}/resolve", data={"resolution_category": "no_action_needed"})
    history = page_of(client, case).get_data(as_text=True).split('class="events"')[1]
    assert "Follow-up date changed" in history and "Follow up on 4 Mar 2099, 8:15." in history
    assert "Need or municipality changed" in history and "recruitment → pay-subsidy" in history
    assert "(No action needed)" in history
