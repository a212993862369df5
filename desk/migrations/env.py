"""Alembic environment: the URL comes from the desk's configuration (or the caller's)."""

from alembic import context
from sqlalchemy import Connection, inspect

from desk.config import load_config
from desk.db import make_engine
from desk.models import Base, search_index

target_metadata = Base.metadata


def _url() -> str:
    url = context.config.attributes.get("database_url")
    return str(url) if url else str(load_config()["DATABASE_URL"])


def _include_object(
    _object: object, name: str | None, type_: str, reflected: bool, _other: object
) -> bool:
    # The search index exists only in the database (one per dialect), never in the models.
    return not (reflected and search_index.is_search_index_object(name, type_))


def _restore_sqlite_search_triggers(connection: Connection) -> None:
    # A batch migration that rebuilds cases or case_messages on SQLite drops their triggers.
    if connection.dialect.name != "sqlite":
        return
    if inspect(connection).has_table(search_index.FTS_TABLE):
        for statement in search_index.SQLITE_TRIGGERS:
            connection.exec_driver_sql(statement)


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch mode rebuilds a table (copy, drop, rename): with foreign keys on, dropping
            # the old "cases" would cascade into its messages and events. Alembic's advice:
            # foreign keys off while migrating (the PRAGMA only works outside a transaction).
            # Straight on the DBAPI connection: SQLAlchemy's "begin" listener would wrap it.
            raw = connection.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            include_object=_include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
        _restore_sqlite_search_triggers(connection)
        connection.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
