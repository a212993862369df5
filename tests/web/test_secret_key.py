"""Finding: forged admin sessions. The secret key fails closed (issue 14)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from desk.config import ConfigError, load_config

KEY = "k" * 40


@pytest.mark.parametrize(
    "mode", ["production", "Production", " PRODUCTION ", "prod", "staging", "", "dev"]
)
def test_anything_not_explicitly_development_needs_a_secret_key(mode: str) -> None:
    with pytest.raises(ConfigError, match="DESK_SECRET_KEY"):
        load_config(environ={"DESK_ENV": mode})
    assert load_config(environ={"DESK_ENV": mode, "DESK_SECRET_KEY": KEY})["ENV"] == "production"


def test_no_environment_at_all_is_production() -> None:
    with pytest.raises(ConfigError):
        load_config(environ={})


def test_the_old_public_default_key_is_refused_in_production() -> None:
    with pytest.raises(ConfigError):
        load_config(environ={"DESK_ENV": "Production", "DESK_SECRET_KEY": "dev-only-not-secret"})


@pytest.mark.parametrize("mode", ["development", "Development", "test"])
def test_development_gets_a_random_key_kept_per_instance(tmp_path: Path, mode: str) -> None:
    environ = {"DESK_ENV": mode, "DESK_SECRET_KEY_FILE": str(tmp_path / "one" / "secret_key")}
    first = load_config(environ=environ)
    again = load_config(environ=environ)
    other = load_config(
        environ={"DESK_ENV": mode, "DESK_SECRET_KEY_FILE": str(tmp_path / "two" / "secret_key")}
    )
    assert first["ENV"] == mode.lower()
    assert len(first["SECRET_KEY"]) >= 32
    assert first["SECRET_KEY"] == again["SECRET_KEY"]  # every process of the instance agrees
    assert first["SECRET_KEY"] != other["SECRET_KEY"]
    assert "dev-only" not in first["SECRET_KEY"]
    mode_bits = stat.S_IMODE((tmp_path / "one" / "secret_key").stat().st_mode)
    assert mode_bits == 0o600
    assert list((tmp_path / "one").iterdir()) == [tmp_path / "one" / "secret_key"]
