"""What a new user met on the staff pages: names instead of codes, sentences in the reader's
language, closure days, SLA targets in working days, one date format per language."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from desk.models import utcnow
from desk.services import cases, transfers
from tests.conftest import login, raw_submission
from tests.support.actors import as_staff


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def span(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">(.*?)</span>', page)
    assert found, testid
    return found.group(1)


@pytest.fixture
def ph(client, staff):
    staff("ph@example.fi")
    login(client, "ph@example.fi")
    return client


@pytest.fixture
def admin(client, staff):
    staff("admin@example.fi", role="admin", teams=())
    login(client, "admin@example.fi")
    return client


def test_a_swedish_page_shows_the_routing_sentence_and_team_in_swedish(ph, app_session) -> None:
    case = cases.submit_case(app_session, raw_submission(language="fi", municipality="Orimattila"))
    page = text(ph.get(f"/staff/cases/{case.reference}?lang=sv"))
    reason = span(page, "routing-reason")
    assert reason.startswith("Styrt till ")
    assert reason.endswith(
        "Päijänne-Tavastlands arbetsgivartjänster, eftersom arbetsplatsen ligger i "
        "Orimattila (560)."
    )
    assert case.routing_reason not in page  # the Finnish sentence stays for the record only
    rule = span(page, "routing-rule")
    assert "paijat-hame" not in rule and "Orimattila (560)" in rule
    history = page.split('<ol class="events">')[1].split("</ol>")[0]
    assert "Päijänne-Tavastlands arbetsgivartjänster" in history
    assert "paijat-hame-employer-services" not in history


def test_a_transfer_reads_in_the_readers_language_with_team_names(ph, app_session, staff) -> None:
    case = cases.submit_case(app_session, raw_submission(language="fi"))
    adviser = staff("ph2@example.fi")
    transfers.transfer(
        app_session, as_staff(adviser), case.id, "lahti-employer-services", "Toimipaikka Lahdessa"
    )
    lahti = staff("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))
    assert lahti
    client = ph.application.test_client()
    login(client, "lahti@example.fi")
    page = text(client.get(f"/staff/cases/{case.reference}?lang=sv"))
    reason = span(page, "routing-reason")
    assert reason.startswith("Överfört till ") and "Lahtis arbetsgivartjänster" in reason
    assert "Siirretty" not in page and "Toimipaikka Lahdessa" in reason
    assert "överföring gjord av en rådgivare" in span(page, "routing-rule")
    assert "Från Päijänne-Tavastlands arbetsgivartjänster till Lahtis arbetsgivartjänster." in page
    assert "lahti-employer-services" not in page.split('<ol class="events">')[1]


def test_availability_and_key_accounts_name_the_teams(admin, staff) -> None:
    staff("ph@example.fi")
    for path in ("/admin/routing/availability?lang=en", "/admin/routing/key-accounts?lang=en"):
        page = text(admin.get(path))
        assert "Päijät-Häme employer services" in page, path
        assert "paijat-hame-employer-services" not in page.replace('value="', ""), path


def test_a_past_closure_day_is_refused_with_a_message(admin) -> None:
    yesterday = (utcnow() - timedelta(days=2)).date().isoformat()
    response = admin.post("/admin/sla/closures?lang=en", data={"day": yesterday, "note": "Late"})
    assert response.status_code == 422
    page = text(response)
    assert "The closure day cannot be in the past" in page
    assert f'value="{yesterday}"' in page and "Late" in page
    fi = text(admin.post("/admin/sla/closures?lang=fi", data={"day": yesterday}))
    assert "Sulkupäivä ei voi olla menneisyydessä" in fi


def test_closure_days_and_sla_targets_read_as_dates_and_working_days(admin) -> None:
    assert admin.post("/admin/sla/closures", data={"day": "2099-12-31"}).status_code == 303
    en = text(admin.get("/admin/sla?lang=en"))
    assert '<time datetime="2099-12-31">31 Dec 2099</time>' in en
    assert "10 business days" in en and "Closure applies to" in en
    fi = text(admin.get("/admin/sla?lang=fi"))
    assert '<time datetime="2099-12-31">31.12.2099</time>' in fi
    assert "10 työpäivää" in fi and "Koskee" in fi
    sv = text(admin.get("/admin/sla?lang=sv"))
    assert "31.12.2099" in sv and "10 arbetsdagar" in sv and "Gäller" in sv
    assert "Avslutat" not in sv


@pytest.mark.parametrize(
    ("language", "pattern"),
    [
        ("fi", r"\d{1,2}\.\d{1,2}\.\d{4} klo \d{1,2}\.\d{2}"),
        ("sv", r"\d{1,2}\.\d{1,2}\.\d{4} kl\. \d{1,2}\.\d{2}"),
        ("en", r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{1,2}:\d{2}"),
    ],
)
def test_one_date_format_per_language(ph, app_session, language, pattern) -> None:
    case = cases.submit_case(app_session, raw_submission())
    page = text(ph.get(f"/staff/cases/{case.reference}?lang={language}"))
    shown = re.findall(r'<time datetime="[^"]+">([^<]+)</time>', page)
    assert shown and all(re.fullmatch(pattern, value) for value in shown), shown


def test_managers_are_not_told_they_may_be_assigned_automatically(client, staff) -> None:
    staff("manager@example.fi", role="manager")
    login(client, "manager@example.fi")
    page = text(client.get("/staff/?lang=en"))
    assert "Cases are never assigned to managers automatically" in page
    assert "can be assigned to you automatically" not in page


def test_advisers_still_choose_their_availability(ph) -> None:
    page = text(ph.get("/staff/?lang=en"))
    assert "can be assigned to you automatically" in page and "Mark me absent" in page


def test_the_wording_fixes(admin) -> None:
    from desk.i18n import catalogue

    sv, fi = catalogue("sv"), catalogue("fi")
    assert sv("Information requested from the employer") == (
        "Mer information begärd från arbetsgivaren"
    )
    assert fi("Reply sent to the employer") == "Vastaus työnantajalle"
    assert fi("From team") == "Nykyinen tiimi" and fi("To team") == "Uusi tiimi"
    assert fi("What changed") == "Muutos" and sv("What changed") == "Ändring"
    versions = text(admin.get("/admin/routing/versions?lang=fi"))
    assert '<th scope="col">Muutos</th>' in versions
