"""The SQLite search triggers come back after any migration run (a batch migration that rebuilds
cases or case_messages drops them with the old table); downgrading removes the index."""

from alembic import command
from sqlalchemy import create_engine, inspect, text

from desk.models import search_index
from desk.services import schema


def _triggers(url: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        names = {row[0] for row in rows}
    engine.dispose()
    return names


def test_sqlite_triggers_are_restored_and_downgrade_removes_the_index(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    schema.upgrade(url)
    assert set(search_index.SQLITE_TRIGGER_NAMES) <= _triggers(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER case_search_message_insert"))
    engine.dispose()
    schema.upgrade(url)  # already at head: the environment still restores the triggers
    assert set(search_index.SQLITE_TRIGGER_NAMES) <= _triggers(url)
    command.downgrade(schema.alembic_config(url), "0008")
    assert not set(search_index.SQLITE_TRIGGER_NAMES) & _triggers(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        assert not inspect(conn).has_table(search_index.FTS_TABLE)
    engine.dispose()
