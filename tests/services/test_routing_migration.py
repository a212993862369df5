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


def test_the_portal_migration_keeps_every_case_message_on_sqlite(tmp_path) -> None:
    # 0016 rebuilds "cases" in batch mode (the hashed token): its messages must survive.
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    schema.upgrade(url, "0015")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            # Reference rows the case names (needs, municipalities) are not needed here.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            conn.execute(text("INSERT INTO authorities VALUES ('lahti', 'x', 'a', 'b', 'c')"))
            conn.execute(
                text(
                    "INSERT INTO teams (slug, authority_slug, regional, name_fi, name_sv, name_en)"
                    " VALUES ('t', 'lahti', 0, 'a', 'b', 'c')"
                )
            )
            columns = [row[1] for row in conn.execute(text("PRAGMA table_info(cases)"))]
            values = {
                "reference": "'TP-2026-000001'",
                "year": "2026",
                "number": "1",
                "employer_token": "'raw-token'",
                "team_id": "1",
                "authority_slug": "'lahti'",
            }
            required = [
                row
                for row in conn.execute(text("PRAGMA table_info(cases)"))
                if row[3] and row[4] is None and row[1] != "id"
            ]
            for row in required:
                values.setdefault(
                    row[1], "0" if "INT" in row[2].upper() or "BOOL" in row[2].upper() else "'x'"
                )
            assert set(values) <= set(columns)
            conn.execute(
                text(
                    f"INSERT INTO cases ({', '.join(values)}) VALUES ({', '.join(values.values())})"
                )
            )
            message_columns = {
                row[1]: row for row in conn.execute(text("PRAGMA table_info(case_messages)"))
            }
            message = {"case_id": "1", "visibility": "'public'", "body": "'hello'"}
            for name, row in message_columns.items():
                if row[3] and row[4] is None and name != "id":
                    message.setdefault(
                        name, "0" if "INT" in row[2].upper() else "'2026-01-01 00:00:00'"
                    )
            conn.execute(
                text(
                    f"INSERT INTO case_messages ({', '.join(message)}) "
                    f"VALUES ({', '.join(message.values())})"
                )
            )
            conn.commit()
        schema.upgrade(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM case_messages")).scalar() == 1
            assert conn.execute(text("SELECT employer_token_hash FROM cases")).scalar()
    finally:
        engine.dispose()
