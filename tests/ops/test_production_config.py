"""The production example loads, and the deployment guide's table names every setting."""

from __future__ import annotations

import re
import tomllib

import pytest

from desk.config import DEFAULT_CONFIG_FILE, PROJECT_ROOT, ConfigError, load_config
from tests.conftest import TEST_ENVIRON

EXAMPLE = PROJECT_ROOT / "config" / "production.example.toml"
GUIDE = PROJECT_ROOT / "docs" / "deployment.md"


def test_the_production_example_loads_with_a_secret_from_the_environment() -> None:
    environ = {"DESK_CONFIG_FILE": str(EXAMPLE), "DESK_SECRET_KEY": "x" * 48}
    config = load_config(environ=environ)
    assert config["ENV"] == "production"
    assert config["LOG_FORMAT"] == "json"
    assert config["PROXY_FIX_X_FOR"] == 1
    assert config["DEV_MAIL_PAGE"] is False
    with pytest.raises(ConfigError):
        load_config(environ={"DESK_CONFIG_FILE": str(EXAMPLE)})


def test_the_example_uses_only_known_keys() -> None:
    defaults = tomllib.loads(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"))
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert set(example) - set(defaults) == set()


def test_the_guide_documents_every_setting() -> None:
    defaults = tomllib.loads(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"))
    documented = set(re.findall(r"`DESK_([A-Z0-9_]+)`", GUIDE.read_text(encoding="utf-8")))
    assert {key for key in defaults} - documented == set()


def test_every_queue_of_the_routes_is_declared_and_the_procfile_consumes_them() -> None:
    from desk.queue import QUEUES, TASK_ROUTES, celery_config

    settings = celery_config(load_config(environ=dict(TEST_ENVIRON)))
    declared = {queue.name for queue in settings["task_queues"]}
    assert declared == set(QUEUES) == {"notifications", "sla", "default"}
    assert {route["queue"] for route in TASK_ROUTES.values()} <= declared
    assert settings["task_default_queue"] == "default"
    procfile = (PROJECT_ROOT / "Procfile").read_text(encoding="utf-8")
    assert "--queues=notifications,sla,default" in procfile
    assert [line.split(":")[0] for line in procfile.splitlines() if line[:1].isalpha()] == [
        "web",
        "worker",
        "beat",
        "inbound",  # the email channel's SMTP receiver
    ]
