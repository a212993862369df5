"""Schemathesis against the live desk: the OpenAPI document it serves, every check, zero failures.

A real HTTP server (werkzeug, threaded) runs the desk on 127.0.0.1 with its own SQLite
database; the schemathesis CLI loads /api/v1/openapi.json from it and runs all phases
(examples, coverage, fuzzing, stateful through the document's links) with every check, as
an administrator's API token so that the staff operations are exercised too.

Known cases, their case tokens and the teams are given as dictionaries, so that generated
requests reach real resources part of the time. One documented allowance: for operations
whose input the domain checks beyond what a JSON Schema can say (a Business ID's check
digit, a need code that exists, text that is not only spaces, a cursor the server issued,
a team member to assign), a schema-valid request may be answered 422, so 422 is added to
the expected statuses of the positive-data check for those operations only.

DESK_SCHEMATHESIS_SEED chooses the seed (default fixed, for a reproducible CI run);
DESK_SCHEMATHESIS_EXAMPLES the examples per operation.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from desk.app import create_app
from desk.db import make_engine, make_session_factory
from desk.services import api_tokens, cases, reference_data, routing, schema, users
from tests.conftest import (
    PASSWORD,
    REFERENCE_FILE,
    ROUTING_FILE,
    SESSION_SETTINGS,
    raw_submission,
)
from tests.support.actors import as_staff
from tests.support.services import free_port
from tests.support.tiers import unavailable

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
SEED = os.environ.get("DESK_SCHEMATHESIS_SEED", "20260601")
EXAMPLES = os.environ.get("DESK_SCHEMATHESIS_EXAMPLES", "20")
DOMAIN_CHECKED = [
    "submitCase",
    "explainRouting",
    "listTeamCases",
    "postCaseMessage",
    "replyToCase",
    "addNote",
    "askEmployer",
    "transferCase",
    "assignCase",
    "getSlaReport",  # to not before from, years 2000-2100, an authority that exists
]


@dataclass
class LiveDesk:
    url: str
    token: str
    references: list[str]
    case_tokens: list[str]


def _prepare(url: str) -> tuple[str, list[str], list[str]]:
    schema.upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine, SESSION_SETTINGS)() as session:
            reference_data.load_reference_data(session, REFERENCE_FILE)
            routing.seed_rules(session, ROUTING_FILE)
            admin = users.upsert_user(
                session,
                email="admin@example.fi",
                name="Admin",
                password=PASSWORD,
                role="admin",
                authority="lahti",
                teams=[],
                languages=["fi"],
            )
            for email, teams in (
                ("ph@example.fi", ["paijat-hame-employer-services"]),
                ("lahti@example.fi", ["lahti-employer-services"]),
            ):
                users.upsert_user(
                    session,
                    email=email,
                    name=email.split("@")[0],
                    password=PASSWORD,
                    role="adviser",
                    authority="paijat-hame" if email.startswith("ph") else "lahti",
                    teams=teams,
                    languages=["fi"],
                )
            session.commit()
            token = api_tokens.create_token(
                session, as_staff(admin), admin.id, "schemathesis", ["read", "write", "reports"]
            ).secret
            made = [
                cases.submit_case(session, raw_submission(municipality=place))
                for place in ("560", "Lahti", "Tampere")
            ]
            return token, [c.reference for c in made], [c.raw_token for c in made]
    finally:
        engine.dispose()


@pytest.fixture
def live_desk(tmp_path: Path) -> Iterator[LiveDesk]:
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    token, references, case_tokens = _prepare(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "BROKER_SQLITE_PATH": str(tmp_path / "broker.sqlite3"),
            "MAILCATCHER_DIR": str(tmp_path / "mail"),
            "API_RATE_LIMIT": "100000 per minute",
            "API_SUBMIT_RATE_LIMIT": "100000 per minute",
        }
    )
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveDesk(f"http://127.0.0.1:{port}", token, references, case_tokens)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["desk.engine"].dispose()


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def _config(desk: LiveDesk) -> str:
    return f"""
headers = {{ Authorization = "Bearer {desk.token}" }}

[parameters]
"path.reference" = {{ dictionary = "references", probability = 0.6 }}
"path.team" = {{ dictionary = "teams", probability = 0.7 }}
"header.X-Case-Token" = {{ dictionary = "case_tokens", probability = 0.6 }}

[dictionaries.references]
values = {_toml_list(desk.references)}

[dictionaries.case_tokens]
values = {_toml_list(desk.case_tokens)}

[dictionaries.teams]
values = ["paijat-hame-employer-services", "lahti-employer-services", "regional-intake"]

[[operations]]
include-operation-id = {_toml_list(DOMAIN_CHECKED)}
checks.positive_data_acceptance.expected-statuses = [
  "2xx", "3xx", "401", "403", "404", "409", "422", "429",
]
"""


def test_schemathesis_finds_no_failures(live_desk: LiveDesk, tmp_path: Path) -> None:
    if not SCHEMATHESIS.exists():
        unavailable(f"{SCHEMATHESIS} missing (run `make install`)")
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(live_desk))
    command = [
        str(SCHEMATHESIS),
        "--no-color",
        "--config-file",
        str(config),
        "run",
        f"{live_desk.url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        EXAMPLES,
        "--seed",
        SEED,
        "--workers",
        "1",
    ]
    done = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    output = done.stdout + done.stderr
    print(output[-6000:])  # shown with -s, and kept in the log of a failing run
    assert done.returncode == 0, output[-20000:]
    assert "Specification:    Open API 3.1.0" in output
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert f"✅  {phase}" in output or f"✅ {phase}" in output, output[-5000:]
    assert "Operations:       17 selected / 17 total" in output
