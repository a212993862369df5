"""GET /api/v1/reports/sla: the reports scope, who may read it, bad periods, and the same
object as `desk report sla --json` for the same data."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.api.conftest import fields, problem
from tests.conftest import TEST_ENVIRON
from tests.support import sla_report_data as data

URL = "/api/v1/reports/sla"
PERIOD = {"from": "2026-03-01", "to": "2026-04-30"}
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def manager(staff):
    return staff("manager@example.fi", role="manager", authority="lahti", teams=())


@pytest.fixture
def reports(manager, token_for):
    return token_for(manager, ("reports",))


def test_a_token_without_the_reports_scope_is_403(client, manager, token_for):
    response = client.get(URL, query_string=PERIOD, headers=token_for(manager, ("read",)))
    problem(response, 403, "forbidden")
    assert 'scope="reports"' in response.headers["WWW-Authenticate"]


def test_no_token_is_401(client):
    problem(client.get(URL, query_string=PERIOD), 401, "unauthorized")


def test_an_adviser_with_the_scope_is_403(client, staff, token_for):
    adviser = staff("ph@example.fi")
    response = client.get(URL, query_string=PERIOD, headers=token_for(adviser, ("reports",)))
    problem(response, 403, "forbidden")


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"from": "2026-02-30", "to": "2026-03-01"}, {"from": "invalid"}),
        ({"from": "2026-03-01"}, {"to": "required"}),
        ({"from": "2026-03-02", "to": "2026-03-01"}, {"to": "before_from"}),
        ({"from": "0001-01-01", "to": "2026-03-01"}, {"from": "out_of_range"}),
        ({**PERIOD, "authority": "tampere"}, {"authority": "invalid"}),
    ],
)
def test_bad_input_is_422_naming_the_field(client, reports, query, errors):
    body = problem(client.get(URL, query_string=query, headers=reports), 422, "validation")
    assert fields(body) == errors
    assert {e["location"] for e in body["errors"]} == {"query"}


def test_a_manager_reads_the_whole_aggregate(client, app_session, reports):
    data.build(app_session)
    response = client.get(URL, query_string=PERIOD, headers=reports)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == data.EXPECTED  # a Lahti manager sees paijat-hame too
    narrowed = client.get(URL, query_string={**PERIOD, "authority": "lahti"}, headers=reports)
    assert narrowed.get_json()["total"] == data.LAHTI


@pytest.mark.committed  # the CLI process must see the data
def test_the_api_answers_the_same_object_as_the_cli(app, client, app_session, reports):
    data.build(app_session)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    env.update(TEST_ENVIRON)  # test mode: no DESK_SECRET_KEY of production needed
    env["DESK_DATABASE_URL"] = app.config["DATABASE_URL"]
    desk = str(PROJECT_ROOT / ".venv" / "bin" / "desk")
    done = subprocess.run(
        [desk, "report", "sla", "--json", "--from", PERIOD["from"], "--to", PERIOD["to"]],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    api = client.get(URL, query_string=PERIOD, headers=reports).get_json()
    assert api == json.loads(done.stdout) == data.EXPECTED


def test_the_operation_is_documented_with_its_schema(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"][URL]["get"]
    assert operation["operationId"] == "getSlaReport"
    assert operation["security"] == [{"bearerAuth": ["reports"]}]
    assert {p["name"] for p in operation["parameters"]} >= {"from", "to", "authority"}
    assert set(operation["responses"]) >= {"200", "401", "403", "422", "429"}
