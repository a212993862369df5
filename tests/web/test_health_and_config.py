import pytest

from desk.app import create_app
from desk.config import ConfigError, load_config
from tests.conftest import _clean


def test_healthz(client) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}


@pytest.mark.committed  # the probe opens a connection of its own
def test_readyz_checks_database_and_embedded_broker(client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "broker": "ok", "outbox": "ok"}


def test_readyz_names_the_failing_part(sqlite_url, sqlite_engine) -> None:
    app = create_app({"DATABASE_URL": sqlite_url, "REDIS_URL": "redis://127.0.0.1:1/0"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["broker"]
    assert body["checks"]["database"] == "ok"
    app.extensions["desk.engine"].dispose()


def test_readyz_reports_an_unreachable_database(tmp_path) -> None:
    app = create_app(
        {
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
            "BROKER_SQLITE_PATH": str(tmp_path / "b.sqlite3"),
        }
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["database"]


def test_production_refuses_to_start_without_a_secret_key() -> None:
    with pytest.raises(ConfigError, match="DESK_SECRET_KEY"):
        load_config(environ={"DESK_ENV": "production"})
    config = load_config(environ={"DESK_ENV": "production", "DESK_SECRET_KEY": "x" * 40})
    assert config["DEV_MAIL_PAGE"] is False


def test_layers_environment_over_file_over_defaults(tmp_path) -> None:
    extra = tmp_path / "desk.toml"
    extra.write_text('SMTP_PORT = 2525\nBASE_URL = "https://file.example"\n')
    config = load_config(
        {"BASE_URL": "https://override.example"},
        environ={
            "DESK_ENV": "test",
            "DESK_CONFIG_FILE": str(extra),
            "DESK_SMTP_PORT": "2626",
            "DESK_DEV_MAIL_PAGE": "0",
        },
    )
    assert config["SMTP_PORT"] == 2626
    assert config["DEV_MAIL_PAGE"] is False
    assert config["BASE_URL"] == "https://override.example"
    assert (
        load_config(environ={"DESK_ENV": "test", "DESK_CONFIG_FILE": str(extra)})["BASE_URL"]
        == "https://file.example"
    )


def test_a_configured_sla_file_is_honoured(sqlite_url, sqlite_engine, tmp_path) -> None:
    """The SLA defaults come from SLA_CONFIG_FILE through create_app, not the shipped file."""
    _clean(sqlite_engine)  # no stored policies: the defaults answer
    sla_file = tmp_path / "sla.toml"
    sla_file.write_text(
        '[[policies]]\nneeds = ["other", "recruitment"]\n'
        "first_response_minutes = 90\nresolution_minutes = 900\n"
    )
    app = create_app(
        {
            "DATABASE_URL": sqlite_url,
            "BROKER_SQLITE_PATH": str(tmp_path / "b.sqlite3"),
            "SLA_CONFIG_FILE": str(sla_file),
        }
    )
    try:
        rows = app.test_client().get("/api/v1/processing-times").get_json()
        shown = {row["need"]: row["first_response_minutes"] for row in rows}
        # Nothing is stored in the test database, so every need shows the configured file's
        # default (the shipped file gives recruitment 480 and change security 240).
        assert shown["recruitment"] == 90 and shown["change-security"] == 90
    finally:
        app.extensions["desk.engine"].dispose()
