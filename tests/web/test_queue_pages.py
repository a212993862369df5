"""The adviser's queue pages: counts in the navigation, filters and cursor in the URL, 400 on
a bad filter (values kept), rows marked by text, and who may open which queue."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from desk.models import Case, utcnow
from desk.services import cases
from tests.conftest import login, raw_submission


def submit(app_session, **changes):
    return cases.submit_case(app_session, raw_submission(**changes))


def text(response) -> str:
    return response.get_data(as_text=True)


def row(page: str, reference: str) -> str:
    found = re.search(rf"<tr[^>]*>\s*<td><a[^>]*>{reference}</a></td>(.*?)</tr>", page, re.S)
    assert found, reference
    return found.group(1)


def test_the_navigation_shows_each_queue_with_its_count(client, app_session, staff) -> None:
    staff("a@example.fi", teams=("paijat-hame-employer-services", "regional-intake"))
    for _ in range(3):
        submit(app_session)
    login(client, "a@example.fi")
    page = text(client.get("/staff/?lang=en"))
    nav = re.search(r'data-testid="queues">(.*?)</nav>', page, re.S).group(1)
    current = r'data-queue="next" aria-current="page">\s*Team queue <span class="count">3'
    assert re.search(current, nav)
    assert re.search(
        r'data-queue="unassigned">\s*Unassigned in my teams <span class="count">3', nav
    )
    assert 'href="/staff/queues/team/regional-intake"' in nav
    assert 'data-queue="authority"' not in nav  # for managers and admins
    assert 'href="/staff/queues/done"' in nav


def test_filters_and_the_cursor_live_in_the_url(client, app_session, staff) -> None:
    staff("a@example.fi")
    submitted = [submit(app_session) for _ in range(30)]
    submit(app_session, language="sv")
    login(client, "a@example.fi")
    page = text(client.get("/staff/?lang=en&language=fi"))
    assert 'value="fi" selected' in page
    following = re.search(r'<a rel="next" href="([^"]+)">Next page', page).group(1)
    assert "language=fi" in following and "after=" in following and "sort=due" in following
    second = text(client.get(following.replace("&amp;", "&")))
    assert "First page" in second
    shown = {c.reference for c in submitted if c.reference in page + second}
    assert shown == {c.reference for c in submitted}
    assert "Next page" not in second


def test_a_bad_filter_is_a_400_with_a_message_and_the_values_kept(client, staff) -> None:
    staff("a@example.fi")
    login(client, "a@example.fi")
    response = client.get("/staff/?lang=en&received_from=yesterday&need=nope")
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert "Enter the first received date as a date" in page
    assert "Choose a need from the list." in page
    assert 'value="yesterday"' in page and 'value="nope" selected' in page
    bad_cursor = client.get("/staff/?lang=en&after=garbage")
    assert bad_cursor.status_code == 400
    assert "The page link is not valid" in text(bad_cursor)
    assert client.get("/staff/?sort=sideways").status_code == 400


def test_breached_and_at_risk_rows_are_marked_by_text(client, app_session, staff) -> None:
    staff("a@example.fi")
    late, risky = submit(app_session), submit(app_session)
    now = utcnow()
    app_session.execute(
        update(Case).where(Case.id == late.id).values(sla_due_at=now - timedelta(hours=1))
    )
    app_session.execute(
        update(Case)
        .where(Case.id == risky.id)
        .values(sla_due_at=now + timedelta(hours=1), sla_warn_at=now - timedelta(hours=1))
    )
    app_session.commit()
    login(client, "a@example.fi")
    page = text(client.get("/staff/?lang=en"))
    assert "Breached" in row(page, late.reference) and "At risk" in row(page, risky.reference)
    filtered = text(client.get("/staff/?lang=en&sla=breached"))
    assert late.reference in filtered and risky.reference not in filtered


def test_who_may_open_which_queue(client, app_session, staff) -> None:
    staff("a@example.fi")
    staff("m@example.fi", role="manager", teams=())
    login(client, "a@example.fi")
    assert client.get("/staff/queues/authority").status_code == 403
    assert client.get("/staff/queues/team/lahti-employer-services").status_code == 403
    assert client.get("/staff/queues/team/nowhere").status_code == 404
    assert client.get("/staff/queues/everything").status_code == 404
    assert client.get("/staff/queues/mine").status_code == 200
    client.get("/logout")
    manager = client.application.test_client()
    login(manager, "m@example.fi")
    assert manager.get("/staff/queues/authority").status_code == 200
    anonymous = client.application.test_client()
    assert anonymous.get("/staff/queues/mine").status_code == 302


def test_done_queue_lists_resolved_cases_recent_first(client, app_session, staff) -> None:
    adviser = staff("a@example.fi")
    from tests.support.actors import as_staff

    first, second, active = submit(app_session), submit(app_session), submit(app_session)
    cases.change_status(app_session, as_staff(adviser), first.id, "resolved")
    cases.change_status(app_session, as_staff(adviser), second.id, "resolved")
    login(client, "a@example.fi")
    page = text(client.get("/staff/queues/done?lang=en"))
    assert page.index(second.reference) < page.index(first.reference)
    assert active.reference not in page
