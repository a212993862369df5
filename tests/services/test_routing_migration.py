"""Migration 0002 on a database with data: nothing of revision 0001 is lost, either way."""

from alembic import command
from sqlalchemy import text

from desk.db import make_engine
from desk.services import schema


def test_upgrade_and_downgrade_keep_team_memberships_on_sqlite(tmp_path) -> None:
    # SQLite rebuilds a table in batch mode; with foreign keys on, dropping the old "users"
    # would cascade into team_members. 0002 must add (and drop) its column in place.
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    schema.upgrade(url, "0001")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO authorities VALUES ('lahti', 'x', 'a', 'b', 'c')"))
            conn.execute(
                text(
                    "INSERT INTO teams (slug, authority_slug, regional, name_fi, name_sv, name_en)"
                    " VALUES ('t', 'lahti', 0, 'a', 'b', 'c')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO users (email, name, password_hash, role, authority_slug, "
                    "languages, ui_language, active, created_at) VALUES "
                    "('a@example.fi', 'A', 'x', 'adviser', 'lahti', 'fi', 'fi', 1, "
                    "'2026-01-01 00:00:00')"
                )
            )
            conn.execute(text("INSERT INTO team_members VALUES (1, 1)"))
        schema.upgrade(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT id, absent FROM users")).all() == [(1, 0)]
            assert conn.execute(text("SELECT * FROM team_members")).all() == [(1, 1)]
        command.downgrade(schema.alembic_config(url), "0001")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT * FROM team_members")).all() == [(1, 1)]
            columns = [row[1] for row in conn.execute(text("PRAGMA table_info(users)"))]
            assert "absent" not in columns
    finally:
        engine.dispose()
