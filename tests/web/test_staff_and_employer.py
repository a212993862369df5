"""Sign-in, the team queue, the case page and the employer's private link."""

from desk.services import cases
from tests.conftest import PASSWORD, login, raw_submission


def submit(app_session, **changes):
    return cases.submit_case(app_session, raw_submission(**changes))


def test_wrong_password_is_refused(client, staff) -> None:
    staff("a@example.fi")
    response = login(client, "a@example.fi", "nope")
    assert response.status_code == 401
    assert 'value="a@example.fi"' in response.get_data(as_text=True)


def test_queue_requires_sign_in(client) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_signed_in_staff_find_the_two_step_sign_in_setup(client, staff) -> None:
    link = '<a href="/login/second-factor/setup">'
    assert link not in client.get("/request?lang=en").get_data(as_text=True)
    staff("a@example.fi")
    login(client, "a@example.fi")
    for lang, label in (
        ("en", "Two-step sign-in"),
        ("fi", "Kaksivaiheinen kirjautuminen"),
        ("sv", "Tvåstegsinloggning"),
    ):
        page = client.get(f"/staff/?lang={lang}").get_data(as_text=True)
        assert f"{link}{label}</a>" in page, lang
    assert client.get("/login/second-factor/setup").status_code == 200


def test_adviser_sees_only_their_teams_queue_oldest_first(client, app_session, staff) -> None:
    staff("a@example.fi")
    first = submit(app_session)
    second = submit(app_session, municipality="Heinola")
    lahti = submit(app_session, municipality="Lahti")
    assert login(client, "a@example.fi").status_code == 302
    page = client.get("/staff/").get_data(as_text=True)
    assert page.index(first.reference) < page.index(second.reference)
    assert lahti.reference not in page
    assert client.get(f"/staff/cases/{lahti.reference}").status_code == 404


def test_adviser_works_the_case_and_the_employer_sees_only_public_replies(
    client, app_session, staff
) -> None:
    staff("a@example.fi")
    case = submit(app_session)
    login(client, "a@example.fi")
    base = f"/staff/cases/{case.reference}"
    assert client.post(f"{base}/claim").status_code == 303
    assert client.post(f"{base}/note", data={"body": "Secret internal note"}).status_code == 303
    assert client.post(f"{base}/reply", data={"body": "Public answer"}).status_code == 303
    assert client.post(f"{base}/status", data={"status": "waiting"}).status_code == 303
    staff_page = client.get(base).get_data(as_text=True)
    assert "Secret internal note" in staff_page and "Public answer" in staff_page

    employer = client.application.test_client()
    opened = employer.get(f"/case/{case.raw_token}?lang=en")
    # The token is exchanged for the session: the case page's address holds the reference.
    assert opened.status_code == 303
    assert opened.headers["Location"] == f"/portal/cases/{case.reference}?lang=en"
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    page = employer.get(opened.headers["Location"]).get_data(as_text=True)
    assert "Public answer" in page
    assert "Secret internal note" not in page
    assert "We are waiting for your answer" in page

    response = employer.post(f"/portal/cases/{case.reference}/messages", data={"body": "Thanks!"})
    assert response.status_code == 303
    app_session.expire_all()
    assert cases.get_case_by_token(app_session, case.raw_token).status == "open"


def test_empty_reply_keeps_the_form_and_explains(client, app_session, staff) -> None:
    staff("a@example.fi")
    case = submit(app_session)
    login(client, "a@example.fi")
    response = client.post(f"/staff/cases/{case.reference}/reply?lang=en", data={"body": "  "})
    assert response.status_code == 422
    assert "Write a message" in response.get_data(as_text=True)


def test_nul_in_a_reply_or_a_note_is_refused_with_the_text_kept(client, app_session, staff) -> None:
    staff("a@example.fi")
    case = submit(app_session)
    login(client, "a@example.fi")
    for action in ("reply", "note"):
        url = f"/staff/cases/{case.reference}/{action}?lang=en"
        response = client.post(url, data={"body": "Hello\x00 world"})
        assert response.status_code == 422, action
        page = response.get_data(as_text=True)
        assert "The message contains a control character" in page and "world" in page
    app_session.expire_all()
    assert app_session.get(type(case), case.id).messages == []


def test_invalid_status_change_is_409(client, app_session, staff) -> None:
    staff("a@example.fi")
    case = submit(app_session)
    login(client, "a@example.fi")
    response = client.post(
        f"/staff/cases/{case.reference}/status?lang=en", data={"status": "closed"}
    )
    assert response.status_code == 409


def test_employer_link_errors(client, app_session) -> None:
    assert client.get("/case/not-a-real-token").status_code == 404
    case = submit(app_session)
    assert client.get(f"/case/{case.raw_token}").headers["Cache-Control"] == "no-store"
    response = client.post(f"/portal/cases/{case.reference}/messages?lang=en", data={"body": ""})
    assert response.status_code == 422
    assert "Write a message" in response.get_data(as_text=True)
    page = client.get(f"/portal/cases/{case.reference}")
    assert page.headers["Cache-Control"] == "no-store"


def test_caught_mail_page_is_for_admins_only(client, staff, app) -> None:
    staff("adviser@example.fi")
    staff("admin@example.fi", role="admin", teams=())
    login(client, "adviser@example.fi")
    assert client.get("/admin/dev/mail").status_code == 403
    client.post("/logout")
    login(client, "admin@example.fi")
    assert client.get("/admin/dev/mail").status_code == 200
    app.config["DEV_MAIL_PAGE"] = False
    assert client.get("/admin/dev/mail").status_code == 404


def test_password_is_checked_not_stored(app_session, staff) -> None:
    assert staff("x@example.fi").password_hash != PASSWORD
