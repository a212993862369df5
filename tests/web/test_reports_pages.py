"""The report pages: the SLA dashboard, the steering-group report and the exports, on the
hand-computed data of tests/support/sla_report_data.py, compared with the report service."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from desk.services.access import Actor, Channel
from desk.services.reports.case_rows import COLUMNS as CASE_COLUMNS
from desk.services.reports.sla_report import sla_report
from tests.conftest import login
from tests.support import sla_report_data as data

PERIOD = "from=2026-03-01&to=2026-04-30"
CLI = Actor.system(Channel.CLI)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def manager(client, app_session, staff):
    """A Lahti manager signed in, with the data set built."""
    data.build(app_session)
    staff("manager@example.fi", role="manager", authority="lahti", teams=())
    login(client, "manager@example.fi")
    return client


def test_the_dashboard_shows_the_figures_charts_and_tables(manager) -> None:
    response = manager.get(f"/reports?{PERIOD}&lang=en")
    assert response.status_code == 200
    page = text(response)
    kpis = re.search(r'data-testid="kpis">(.*?)</ul>', page).group(1)
    # Total: received 10, resolved 5, FR 6/4 = 60.0 %, RES 4/5 = 44.4 %, FR median 210 min.
    assert 'Cases received</span><span class="kpi-value">10<' in kpis
    assert 'Cases resolved</span><span class="kpi-value">5<' in kpis
    assert "60.0 %" in kpis and "44.4 %" in kpis
    assert "3 h 30 min" in kpis  # the median of 210 business minutes
    assert "1 business day 4 h" in kpis  # the resolution median, 720 minutes
    assert kpis.count("<details") == 6
    assert "Cases received in the period." in kpis
    assert page.count('<svg role="img"') == 4
    # The charts need no script: the only one is the staff pages' keyboard shortcuts.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/keyboard.js" defer>']
    assert 'data-testid="trend-table"' in page and 'data-testid="distribution-table"' in page
    regional = re.search(r'data-testid="regional-teams">(.*?)</table>', page).group(1)
    assert (
        "Regional change security team" in regional and "Lahti" not in page.split("by-team")[0][-1:]
    )
    assert 'href="/reports"' in page  # the navigation link
    # Which need breaches most, where and since when: job-ad (8, in PH) before change security.
    by_need = re.search(r'data-testid="breaches-by-need">(.*?)</table>', page).group(1)
    assert by_need.index("Job ad") < by_need.index("Lay-offs and change security")
    assert '<td class="num">8</td>' in by_need


def test_the_dashboard_speaks_finnish_and_swedish(manager) -> None:
    fi = text(manager.get(f"/reports?{PERIOD}&lang=fi"))
    assert "Palvelutasoraportti" in fi and "60,0 %" in fi
    sv = text(manager.get(f"/reports?{PERIOD}&lang=sv"))
    assert "Servicenivårapport" in sv and "44,4 %" in sv


def test_the_default_period_is_the_current_quarter_so_far(manager) -> None:
    page = text(manager.get("/reports?lang=en"))
    today = date.today()
    start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    assert f'name="from" type="date" value="{start.isoformat()}"' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13-01", "Enter the start date as YYYY-MM-DD"),
        ("from=2026-04-01&to=2026-03-01", "The end date must be the same as or after"),
        ("from=1999-01-01&to=2026-01-01", "between the years 2000 and 2100"),
        ("authority=tampere", "Choose an authority from the list"),
    ],
)
def test_bad_parameters_show_the_form_with_422(manager, query, message) -> None:
    for path in ("/reports", "/reports/export.csv", "/reports/export.xlsx"):
        response = manager.get(f"{path}?{query}&lang=en")
        assert response.status_code == 422, path
        page = text(response)
        assert "There is a problem" in page and message in page


def test_an_adviser_reads_their_teams_only_and_visitors_sign_in(client, app_session, staff) -> None:
    assert client.get("/reports").status_code == 302
    assert "/login" in client.get("/reports/steering").headers["Location"]
    data.build(app_session)
    staff("adviser@example.fi", authority="lahti", teams=(data.LES,))
    login(client, "adviser@example.fi")
    response = client.get(f"/reports?{PERIOD}&lang=en")
    assert response.status_code == 200
    page = text(response)
    kpis = re.search(r'data-testid="kpis">(.*?)</ul>', page).group(1)
    assert 'Cases received</span><span class="kpi-value">1<' in kpis  # L only
    assert 'data-testid="by-authority"' not in page and 'data-testid="transfers-table"' not in page
    assert "report-downloads" not in page
    team_select = re.search(r'name="team"(.*?)</select>', page).group(1)
    assert re.findall(r'<option value="([^"]+)"', team_select) == [data.LES]
    # Another team, by URL: the form again with 422.
    assert client.get(f"/reports?{PERIOD}&team={data.PH}").status_code == 422
    for path in ("/reports/steering", "/reports/export.csv", "/reports/export.xlsx"):
        assert client.get(path).status_code == 403, path
    assert 'href="/reports"' in client.get("/staff/").get_data(as_text=True)
    staff("loner@example.fi", teams=())
    login(client, "loner@example.fi")
    assert client.get("/reports").status_code == 403


def test_the_figures_csv_matches_the_service(manager, app_session) -> None:
    response = manager.get(f"/reports/export.csv?{PERIOD}&lang=en")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="sla-report_2026-03-01_2026-04-30.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    report = sla_report(app_session, CLI, *data.PERIOD)
    total = next(r for r in rows if r["level"] == "total")
    assert int(total["received"]) == report.total.received
    assert float(total["first_response_compliance"]) == report.total.first_response.compliance
    assert float(total["resolution_median_minutes"]) == report.total.resolution_minutes.median
    team = next(r for r in rows if r["slug"] == data.RCS)
    assert team["level"] == "team" and team["resolution_median_minutes"] == ""
    assert {r["slug"] for r in rows if r["level"] == "authority"} == {"lahti", "paijat-hame"}


def test_the_xlsx_has_numbers_and_the_managers_case_rows(manager, app_session) -> None:
    response = manager.get(f"/reports/export.xlsx?{PERIOD}&rows=1&lang=en")
    assert response.status_code == 200
    assert "sla-report_2026-03-01_2026-04-30_cases.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    # The figures first, one sheet per table of the dashboard, the case rows last.
    assert book.sheetnames == [
        "Figures",
        "Weekly trend",
        "Time to first response",
        "Open backlog",
        "Breaches by need",
        "Breaches in the period",
        "Workload per adviser",
        "Transfers between the authorities"[:31],
        "Cases",
    ]
    figures, cases = book.worksheets[0], book.worksheets[-1]
    by_need = list(book["Breaches by need"].iter_rows(values_only=True))
    assert by_need[0] == (
        "need",
        "breached",
        "first_response",
        "resolution",
        "top_team",
        "oldest_due",
    )
    assert by_need[1][:5] == ("job-ad", 8, 4, 4, data.PH)
    header = [c.value for c in next(figures.iter_rows(max_row=1))]
    total = dict(
        zip(header, [c.value for c in next(figures.iter_rows(min_row=2, max_row=2))], strict=False)
    )
    report = sla_report(app_session, CLI, *data.PERIOD)
    assert total["received"] == report.total.received == 10
    assert total["first_response_compliance"] == 60.0
    assert total["first_response_median_minutes"] == 210.0
    case_rows = list(cases.iter_rows(values_only=True))
    assert list(case_rows[0]) == list(CASE_COLUMNS)
    # A Lahti manager: Lahti employer services (L) and the regional case of a Lahti employer (K).
    assert sorted(r[1] for r in case_rows[1:]) == [data.LES, data.RCS]
    assert "email" not in case_rows[0] and "teija@example.fi" not in str(case_rows)


def test_each_table_of_the_dashboard_as_csv(manager) -> None:
    response = manager.get(f"/reports/export.csv?{PERIOD}&table=breaches_by_need")
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == [
        "need",
        "breached",
        "first_response",
        "resolution",
        "top_team",
        "oldest_due",
    ]
    assert lines[1][:5] == ["job-ad", "8", "4", "4", data.PH]
    weeks = manager.get(f"/reports/export.csv?{PERIOD}&table=trend").get_data(as_text=True)
    assert weeks.splitlines()[0].lstrip("\ufeff").startswith("year,week,from,to,received")
    assert manager.get(f"/reports/export.csv?{PERIOD}&table=nothing").status_code == 404


def test_the_case_rows_csv_for_an_admin_has_every_case(client, app_session, staff) -> None:
    data.build(app_session)
    staff("admin@example.fi", role="admin", teams=())
    login(client, "admin@example.fi")
    response = client.get(f"/reports/export.csv?{PERIOD}&rows=1")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    report = sla_report(app_session, CLI, *data.PERIOD)
    assert sum(r["first_response"] == "met" for r in rows) == report.total.first_response.met
    assert sum(r["resolution"] == "breached" for r in rows) == report.total.resolution.breached


def test_the_steering_report_shows_both_authorities(manager) -> None:
    response = manager.get("/reports/steering?year=2026&quarter=2&lang=en")
    assert response.status_code == 200
    page = text(response)
    table = re.search(r'data-testid="steering-authorities">(.*?)</table>', page).group(1)
    assert "City of Lahti" in table or "Lahti" in table
    assert "Päijät-Häme" in table and "Both authorities" in table
    assert "Regional change security team" in page
    assert "1 Apr 2026–30 Jun 2026" in page and "Definitions" in page
    assert "Cases received in the period." in page
    whole_year = manager.get("/reports/steering?year=2026&quarter=&lang=en")
    assert "1 Jan 2026–31 Dec 2026" in text(whole_year)
    assert manager.get("/reports/steering?year=20x6").status_code == 422
    assert manager.get("/reports/steering?year=2026&quarter=5").status_code == 422


def test_the_filters_narrow_the_page_and_stay_in_the_export_links(manager) -> None:
    response = manager.get(f"/reports?{PERIOD}&municipality=398&lang=en")
    assert response.status_code == 200
    page = text(response)
    kpis = re.search(r'data-testid="kpis">(.*?)</ul>', page).group(1)
    # K and L (municipality 398 Lahti): received 2, FR 2/0 = 100.0 %, RES 1/1 = 50.0 %.
    assert 'Cases received</span><span class="kpi-value">2<' in kpis
    assert "100.0 %" in kpis and "50.0 %" in kpis
    assert '<option value="398" selected>' in page
    assert "municipality=398" in page.split("report-downloads")[1].split("</nav>")[0]
    rows = manager.get(f"/reports/export.csv?{PERIOD}&need=change-security&rows=1")
    lines = list(csv.DictReader(io.StringIO(rows.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["team"] for r in lines] == [data.RCS]  # K only (without the filter: K and L)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("team=nope", "Choose a team from the list"),
        ("need=nope", "Choose a need from the list"),
        ("municipality=999", "Choose a municipality from the list"),
        ("language=de", "Choose Finnish, Swedish or English"),
        ("adviser=x1", "Choose an adviser from the list"),
        ("adviser=999999", "Choose an adviser from the list"),
    ],
)
def test_unknown_filter_values_show_the_form_with_422(manager, query, message) -> None:
    for path in ("/reports", "/reports/export.csv"):
        response = manager.get(f"{path}?{PERIOD}&{query}&lang=en")
        assert response.status_code == 422, path
        page = text(response)
        assert "There is a problem" in page and message in page


def test_the_open_backlog_and_workload_tables(manager) -> None:
    page = text(manager.get(f"/reports?{PERIOD}&lang=en"))
    table = re.search(r'data-testid="backlog-table">(.*?)</table>', page).group(1)
    # Open now (after 06-01): D E F G H I K, all received over 30 days ago; D, E paused.
    over = re.search(r"over 30 days</th>(.*?)</tr>", table).group(1)
    assert re.findall(r">(\d+)<", over) == ["0", "0", "5", "2", "7"]
    assert 'data-testid="chart-backlog"' in page and page.count('<svg role="img"') == 4
    assert "No open case is assigned to an adviser." in page


def test_the_breaches_link_to_their_cases_and_the_transfers_table(manager, app_session) -> None:
    page = text(manager.get(f"/reports?{PERIOD}&lang=en"))
    table = re.search(r'data-testid="breaches-table">(.*?)</table>', page).group(1)
    links = re.findall(r'<a href="/staff/cases/([^"]+)">', table)
    # FR: B E F I; RES: B E F I K: nine breaches, K's resolution (due 17 Apr 2026, 16:00) first.
    assert len(links) == 9 and 'data-testid="breaches-more"' not in page
    first = re.search(r"<tr>(.*?)</tr>", table.split("<tbody>")[1]).group(1)
    assert "Regional change security team" in first and "17 Apr 2026, 16:00" in first
    assert "Resolution" in first
    transfers = re.search(r'data-testid="transfers-table">(.*?)</table>', page).group(1)
    assert re.findall(r">(\d+)<", transfers) == ["0", "0", "0", "0"]
    fi = text(manager.get(f"/reports?{PERIOD}&lang=fi"))
    assert "Siirrot viranomaisten välillä" in fi
