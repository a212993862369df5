"""The full-text index of cases and their messages, one per dialect, kept by the database.

PostgreSQL: a stored generated `tsvector` column `search_vector` on `cases` (reference and
Business ID with the `simple` configuration, so codes match as typed; organisation, contact
and description with `finnish`, weighted A/A/B/C) and on `case_messages` (the body), each
with a GIN index. SQLite: an FTS5 table `case_search` with one row per case (rowid = -case
id) and one per message (rowid = message id), kept by triggers. Either way the index changes
in the same transaction as the row (no lag, no worker), and Core bulk inserts (`desk import
cases`) are covered too.

Neither is mapped in the models (the column exists only on PostgreSQL, the table only on
SQLite): migration 0012 creates them and `desk/migrations/env.py` tells `alembic check` to
leave them alone (`is_search_index_object`). The SQLite triggers are also restored after every
migration run (`SQLITE_TRIGGERS`, IF NOT EXISTS), because a later batch migration that
rebuilds `cases` or `case_messages` on SQLite drops the triggers with the old table.
"""

from __future__ import annotations

FTS_TABLE = "case_search"
VECTOR_COLUMN = "search_vector"
PG_INDEXES = ("ix_cases_search_vector", "ix_case_messages_search_vector")

# The indexed text of a case on PostgreSQL (the generated column's expression).
PG_CASE_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, replace(reference, '-', ' ') || ' ' "
    "|| replace(business_id, '-', '')), 'A') "
    "|| setweight(to_tsvector('finnish'::regconfig, coalesce(organisation_name, '')), 'A') "
    "|| setweight(to_tsvector('finnish'::regconfig, coalesce(contact_name, '')), 'B') "
    "|| setweight(to_tsvector('finnish'::regconfig, coalesce(description, '')), 'C')"
)
PG_MESSAGE_VECTOR = "to_tsvector('finnish'::regconfig, coalesce(body, ''))"

# FTS5 columns in order (bm25 weights follow this order in desk.services.search).
FTS_COLUMNS = ("reference", "business_id", "organisation", "contact", "description", "body")
SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "reference, business_id, organisation, contact, description, body, "
    "case_id UNINDEXED, message_id UNINDEXED, tokenize = 'unicode61')"
)

_CASE_ROW = (
    f"INSERT INTO {FTS_TABLE} (rowid, reference, business_id, organisation, contact, "
    "description, body, case_id, message_id) VALUES (-new.id, new.reference, new.business_id, "
    "new.organisation_name, new.contact_name, new.description, '', new.id, NULL);"
)
_MESSAGE_ROW = (
    f"INSERT INTO {FTS_TABLE} (rowid, reference, business_id, organisation, contact, "
    "description, body, case_id, message_id) VALUES (new.id, '', '', '', '', '', new.body, "
    "new.case_id, new.id);"
)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS case_search_case_insert AFTER INSERT ON cases BEGIN "
    f"{_CASE_ROW} END",
    "CREATE TRIGGER IF NOT EXISTS case_search_case_update AFTER UPDATE OF reference, "
    "business_id, organisation_name, contact_name, description ON cases BEGIN "
    f"DELETE FROM {FTS_TABLE} WHERE rowid = -old.id; {_CASE_ROW} END",
    "CREATE TRIGGER IF NOT EXISTS case_search_case_delete AFTER DELETE ON cases BEGIN "
    f"DELETE FROM {FTS_TABLE} WHERE rowid = -old.id; END",
    "CREATE TRIGGER IF NOT EXISTS case_search_message_insert AFTER INSERT ON case_messages "
    f"BEGIN {_MESSAGE_ROW} END",
    "CREATE TRIGGER IF NOT EXISTS case_search_message_update AFTER UPDATE OF body, case_id "
    f"ON case_messages BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; {_MESSAGE_ROW} END",
    "CREATE TRIGGER IF NOT EXISTS case_search_message_delete AFTER DELETE ON case_messages "
    f"BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END",
)
SQLITE_TRIGGER_NAMES = (
    "case_search_case_insert",
    "case_search_case_update",
    "case_search_case_delete",
    "case_search_message_insert",
    "case_search_message_update",
    "case_search_message_delete",
)
SQLITE_BACKFILL = (
    f"INSERT INTO {FTS_TABLE} (rowid, reference, business_id, organisation, contact, "
    "description, body, case_id, message_id) SELECT -id, reference, business_id, "
    "organisation_name, contact_name, description, '', id, NULL FROM cases",
    f"INSERT INTO {FTS_TABLE} (rowid, reference, business_id, organisation, contact, "
    "description, body, case_id, message_id) SELECT id, '', '', '', '', '', body, case_id, id "
    "FROM case_messages",
)


def is_search_index_object(name: str | None, type_: str) -> bool:
    """Whether Alembic's comparison should skip this object: the dialect's search index."""
    if name is None:
        return False
    if type_ == "table":
        return name == FTS_TABLE or name.startswith(f"{FTS_TABLE}_")
    if type_ == "column":
        return name == VECTOR_COLUMN
    if type_ == "index":
        return name in PG_INDEXES
    return False
