"""An imported case's page shows its history like any other case's."""

import json

from desk.services.history_import import IMPORTED_BODY, import_cases
from tests.conftest import login
from tests.domain.test_history import example


def test_the_staff_case_page_shows_an_imported_history(client, staff, app_session) -> None:
    staff("ph@example.fi")
    login(client, "ph@example.fi")
    assert import_cases(app_session, [json.dumps(example(language="en"))]).ok
    response = client.get("/staff/cases/TP-2026-000001?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count(IMPORTED_BODY) == 3
    assert "Employer" in html and "Staff" in html
