"""The search page and the employer page: sign-in, access, bad input (400/404 with a message),
highlights escaped, the nav search box and the case page's link to the employer."""

from desk.models import CaseMessage
from desk.services import cases
from tests.conftest import login, raw_submission

LAHTI = "lahti-employer-services"


def submit(app_session, **changes):
    return cases.submit_case(app_session, raw_submission(**changes))


def test_pages_require_sign_in(client) -> None:
    for url in ("/staff/search?q=x", "/staff/employers/0112038-9"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_adviser_finds_by_a_word_of_a_message_and_sees_why(client, app_session, staff) -> None:
    staff("a@example.fi")
    case = submit(app_session)
    hidden = submit(app_session, municipality="Lahti")
    for target in (case, hidden):
        app_session.add(
            CaseMessage(
                case_id=target.id,
                author_kind="employer",
                visibility="public",
                body="Tarvitsemme <script>alert(1)</script> kaivinkonekuljettajan",
            )
        )
    app_session.commit()
    login(client, "a@example.fi")
    response = client.get("/staff/search?q=kaivinkonekuljettajan&lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert case.reference in page and hidden.reference not in page
    assert "<mark>kaivinkonekuljettajan</mark>" in page
    assert "<script>alert(1)</script>" not in page
    assert "Matched in Message" in page
    assert 'role="search"' in page


def test_highlighted_user_text_is_escaped(client, app_session, staff) -> None:
    staff("a@example.fi")
    case = submit(app_session, organisation_name="<b>Tehdas</b> & Co Oy")
    login(client, "a@example.fi")
    page = client.get("/staff/search?q=tehdas").get_data(as_text=True)
    assert case.reference in page
    assert "<b>Tehdas</b>" not in page
    assert "&lt;b&gt;" in page and "&amp; Co Oy" in page


def test_too_long_and_empty_queries(client, app_session, staff) -> None:
    staff("a@example.fi")
    login(client, "a@example.fi")
    response = client.get("/staff/search?lang=en&q=" + "x" * 201)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Shorten the search to 200 characters or fewer." in page
    assert 'value="' + "x" * 201 + '"' in page  # what was typed is kept
    response = client.get("/staff/search?lang=en&q=%22%22")
    assert response.status_code == 200
    assert "Type a word, a case reference or a Business ID" in response.get_data(as_text=True)
    for after in ("nonsense", "nan:1", "1.0:99999999999999999999", "1.0:-1"):
        assert client.get(f"/staff/search?q=x&after={after}").status_code == 400
    assert client.get("/staff/search").status_code == 200


def test_more_results_link_pages_on(client, app_session, staff) -> None:
    staff("a@example.fi")
    made = [submit(app_session) for _ in range(27)]
    login(client, "a@example.fi")
    first = client.get("/staff/search?q=welders").get_data(as_text=True)
    assert sum(c.reference in first for c in made) == 25
    link = first.split('href="/staff/search?q=welders&amp;after=')[1].split('"')[0]
    second = client.get("/staff/search?q=welders&after=" + link.replace("%3A", ":"))
    text = second.get_data(as_text=True)
    assert sum(c.reference in text for c in made) == 2


def test_employer_page_access_and_bad_ids(client, app_session, staff) -> None:
    staff("a@example.fi")
    staff("l@example.fi", authority="lahti", teams=(LAHTI,))
    mine = submit(app_session, contact_name="Pekka Pomo")
    theirs = submit(app_session, municipality="Lahti", contact_name="Liisa Lahtinen")
    login(client, "a@example.fi")
    response = client.get("/staff/employers/0112038-9?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert mine.reference in page and theirs.reference not in page
    assert "Pekka Pomo" in page and "Liisa Lahtinen" not in page
    assert 'data-testid="open-count">1<' in page
    response = client.get("/staff/employers/01120389")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/staff/employers/0112038-9")
    response = client.get("/staff/employers/0112038-8?lang=en")
    assert response.status_code == 404
    assert "is not a valid Business ID" in response.get_data(as_text=True)
    for before in (
        "bad",
        "2026-01-01T00:00:00_1",
        "2026-01-01T00:00:00%2B00:00_99999999999999999999",
    ):
        assert client.get(f"/staff/employers/0112038-9?before={before}").status_code == 400
    case_page = client.get(f"/staff/cases/{mine.reference}").get_data(as_text=True)
    assert 'href="/staff/employers/0112038-9"' in case_page


def test_employer_page_pages_older_cases(client, app_session, staff) -> None:
    staff("a@example.fi")
    made = [submit(app_session) for _ in range(27)]
    login(client, "a@example.fi")
    first = client.get("/staff/employers/0112038-9").get_data(as_text=True)
    assert made[-1].reference in first and made[0].reference not in first
    link = first.split('href="/staff/employers/0112038-9?before=')[1].split('"')[0]
    second = client.get("/staff/employers/0112038-9?before=" + link).get_data(as_text=True)
    assert made[0].reference in second and made[-1].reference not in second
