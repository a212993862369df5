"""Full-text search over cases and their messages, within what the adviser may open.

The index is the database's own (desk/models/search_index.py): `tsvector` columns with GIN
indexes on PostgreSQL (`finnish` for text, `simple` for codes), FTS5 on SQLite. A case matches
when its own fields (reference, Business ID, organisation, contact, description) or one of
its messages hold every word and phrase of the query; a case reference or a Business ID in
the query is matched against its column exactly. The access rule
(`access.visible_cases_condition`) is part of the SQL, so a case the adviser may not open is
never found, counted or ranked. Results come by relevance, a page at a time with a keyset
(rank, id): no OFFSET.

Internal notes are searched for everyone who may open the case: the case page shows its
notes to every staff member who may view it, so search reveals nothing the page would not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    Select,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.sql.elements import ColumnClause, ColumnElement

from desk.db import is_postgresql
from desk.domain.search_query import (
    START,
    STOP,
    SearchQuery,
    has_hit,
    parse_query,
    segments,
    weak_prefix,
)
from desk.models import Case, CaseMessage
from desk.models.search_index import FTS_TABLE, VECTOR_COLUMN
from desk.services.access import Actor, visible_cases_condition

PAGE_SIZE = 25
MAX_PAGE = 100
MESSAGE_WEIGHT = 0.5  # a word in a message counts half a word in the case's own fields
CODE_RANK = 100.0  # an exact reference or Business ID comes before any text match

Segments = tuple[tuple[str, bool], ...]

_FINNISH: ColumnClause[Any] = literal_column("'finnish'::regconfig")
_SIMPLE: ColumnClause[Any] = literal_column("'simple'::regconfig")
_CASE_VECTOR: ColumnClause[Any] = literal_column(f"cases.{VECTOR_COLUMN}")
_MESSAGE_VECTOR: ColumnClause[Any] = literal_column(f"case_messages.{VECTOR_COLUMN}")
_HEADLINE = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"
_FRAGMENTS = (
    f"StartSel={START}, StopSel={STOP}, MaxFragments=2, MaxWords=18, MinWords=6, "
    f'FragmentDelimiter=" … "'
)
_FTS_TABLE = table(FTS_TABLE, column("case_id", Integer), column("message_id", Integer))
# The table as FTS5's functions and MATCH name it.
_FTS: ColumnClause[Any] = literal_column(FTS_TABLE)
_FTS_CASE_ID = _FTS_TABLE.c.case_id
_FTS_MESSAGE_ID = _FTS_TABLE.c.message_id
# bm25 weights of the FTS5 columns, in search_index.FTS_COLUMNS order.
_BM25_WEIGHTS = (10.0, 10.0, 8.0, 5.0, 2.0, 1.0)


@dataclass(frozen=True)
class Match:
    """Why a case was found: the field (reference, business_id, organisation, contact,
    description, message, note) and its text as (text, is_hit) pieces."""

    field: str
    snippet: Segments


@dataclass(frozen=True)
class Hit:
    """A found case, its rank and why it matched."""

    case: Case
    rank: float
    matches: list[Match] = field(default_factory=list)


@dataclass(frozen=True)
class After:
    """Where a page of results ends: the (rank, case id) of its last hit."""

    rank: float
    case_id: int


@dataclass(frozen=True)
class SearchResults:
    """One page of hits, best first, and where the next page starts (None: no more)."""

    query: SearchQuery
    hits: list[Hit]
    next_after: After | None


def search(
    session: Session,
    actor: Actor,
    text: str,
    after: After | None = None,
    limit: int = PAGE_SIZE,
) -> SearchResults:
    """The cases the actor may open that match the query; QueryTooLong past the limit."""
    visible = visible_cases_condition(actor)  # Forbidden for anyone but staff
    query = parse_query(text)
    limit = max(1, min(limit, MAX_PAGE))
    if query.empty:
        return SearchResults(query, [], None)
    postgres = is_postgresql(session)
    codes = _code_condition(query)
    if query.has_text:
        hits = (_pg_hits(query) if postgres else _sqlite_hits(query)).subquery("hits")
        ranked = (
            select(hits.c.case_id, func.max(hits.c.rank).label("rank"))
            .group_by(hits.c.case_id)
            .subquery("ranked")
        )
    else:
        # Only references and Business IDs: found through their own indexes, equally ranked.
        exact = select(Case.id.label("case_id"), literal(CODE_RANK, Float).label("rank"))
        ranked = (exact if codes is None else exact.where(codes)).subquery("ranked")
    rank = ranked.c.rank
    # Rank and page on ids alone; only the page's cases are loaded (with their team etc.).
    stmt = select(Case.id, rank).join(ranked, ranked.c.case_id == Case.id).where(visible)
    if codes is not None:
        stmt = stmt.where(codes)
    if after is not None:
        stmt = stmt.where(or_(rank < after.rank, and_(rank == after.rank, Case.id < after.case_id)))
    rows = session.execute(stmt.order_by(rank.desc(), Case.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    loaded = {
        c.id: c
        for c in session.scalars(
            select(Case)
            .where(Case.id.in_([row[0] for row in rows]))
            .options(
                lazyload(Case.messages),
                lazyload(Case.events),
                lazyload(Case.followers),
                lazyload(Case.collaborators),
            )
        )
    }
    found = [(loaded[case_id], float(score)) for case_id, score in rows]
    matches = _why(session, query, [c for c, _ in found], postgres)
    hits_ = [Hit(c, r, matches.get(c.id, [])) for c, r in found]
    last = hits_[-1] if more else None
    return SearchResults(query, hits_, After(last.rank, last.case.id) if last else None)


def _code_condition(query: SearchQuery) -> ColumnElement[bool] | None:
    conditions: list[ColumnElement[bool]] = []
    if query.references:
        conditions.append(Case.reference.in_(query.references))
    if query.business_ids:
        conditions.append(Case.business_id.in_(query.business_ids))
    return or_(*conditions) if conditions else None


# --- PostgreSQL -------------------------------------------------------------------------


def _pg_tsquery(query: SearchQuery) -> ColumnElement[Any]:
    """Every word (its Finnish stem, or its gradation-proof prefix) and every phrase."""
    parts: list[ColumnElement[Any]] = []
    for word in query.words:
        term: ColumnElement[Any] = func.plainto_tsquery(_FINNISH, word)
        prefix = weak_prefix(word)
        if prefix is not None:
            term = term.op("||")(func.to_tsquery(_SIMPLE, f"{prefix}:*"))
        parts.append(term)
    parts += [func.phraseto_tsquery(_FINNISH, " ".join(phrase)) for phrase in query.phrases]
    return reduce(lambda a, b: a.op("&&")(b), parts)


def _pg_hits(query: SearchQuery) -> Any:
    tsquery = _pg_tsquery(query)
    in_case = select(
        Case.id.label("case_id"), cast(func.ts_rank(_CASE_VECTOR, tsquery), Float).label("rank")
    ).where(_CASE_VECTOR.op("@@")(tsquery))
    in_message = select(
        CaseMessage.case_id.label("case_id"),
        (cast(func.ts_rank(_MESSAGE_VECTOR, tsquery), Float) * MESSAGE_WEIGHT).label("rank"),
    ).where(_MESSAGE_VECTOR.op("@@")(tsquery))
    return in_case.union_all(in_message)


def _pg_why(
    session: Session, query: SearchQuery, ids: list[int]
) -> tuple[dict[int, dict[str, str]], list[tuple[int, str, str]]]:
    fields: dict[int, dict[str, str]] = {}
    messages: list[tuple[int, str, str]] = []
    if not query.has_text:
        return fields, messages
    tsquery = _pg_tsquery(query)
    stmt = select(
        Case.id,
        func.ts_headline(_SIMPLE, func.replace(Case.reference, "-", " "), tsquery, _HEADLINE),
        func.ts_headline(_SIMPLE, func.replace(Case.business_id, "-", ""), tsquery, _HEADLINE),
        func.ts_headline(_FINNISH, Case.organisation_name, tsquery, _HEADLINE),
        func.ts_headline(_FINNISH, Case.contact_name, tsquery, _HEADLINE),
        func.ts_headline(_FINNISH, Case.description, tsquery, _FRAGMENTS),
    ).where(Case.id.in_(ids))
    for case_id, *texts in session.execute(stmt):
        names = ("reference", "business_id", "organisation", "contact", "description")
        fields[case_id] = dict(zip(names, texts, strict=True))
    best = (
        select(
            CaseMessage.id,
            func.row_number()
            .over(
                partition_by=CaseMessage.case_id,
                order_by=(func.ts_rank(_MESSAGE_VECTOR, tsquery).desc(), CaseMessage.id.desc()),
            )
            .label("place"),
        )
        .where(CaseMessage.case_id.in_(ids), _MESSAGE_VECTOR.op("@@")(tsquery))
        .subquery()
    )
    chosen = select(
        CaseMessage.case_id,
        CaseMessage.visibility,
        func.ts_headline(_FINNISH, CaseMessage.body, tsquery, _FRAGMENTS),
    ).join(best, and_(best.c.id == CaseMessage.id, best.c.place == 1))
    messages = [(c, v, t) for c, v, t in session.execute(chosen)]
    return fields, messages


# --- SQLite -----------------------------------------------------------------------------


def _fts_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts_match(query: SearchQuery) -> str:
    """The FTS5 query: every word and phrase. SQLite has no Finnish stemmer: a word matches as
    a prefix, shortened to its gradation-proof prefix (weak_prefix) when it has one."""
    terms = [f"{_fts_quote(weak_prefix(word) or word)}*" for word in query.words]
    terms += [_fts_quote(" ".join(phrase)) for phrase in query.phrases]
    return " AND ".join(terms)


def _sqlite_hits(query: SearchQuery) -> Select[Any]:
    weight = case((_FTS_MESSAGE_ID.is_(None), 1.0), else_=MESSAGE_WEIGHT)
    bm25 = func.bm25(_FTS, *_BM25_WEIGHTS)
    return (
        select(_FTS_CASE_ID.label("case_id"), (-bm25 * weight).label("rank"))
        .select_from(_FTS_TABLE)
        .where(_FTS.op("MATCH")(fts_match(query)))
        # A LIMIT keeps SQLite from flattening this into the GROUP BY around it, where FTS5's
        # auxiliary functions (bm25) cannot run; -1 is no limit.
        .limit(-1)
    )


def _sqlite_why(
    session: Session, query: SearchQuery, ids: list[int]
) -> tuple[dict[int, dict[str, str]], list[tuple[int, str, str]]]:
    fields: dict[int, dict[str, str]] = {}
    messages: list[tuple[int, str, str]] = []
    if not query.has_text:
        return fields, messages
    stmt = (
        select(
            _FTS_CASE_ID,
            _FTS_MESSAGE_ID,
            *(func.highlight(_FTS, column, START, STOP) for column in range(4)),
            func.snippet(_FTS, 4, START, STOP, " … ", 24),
            func.snippet(_FTS, 5, START, STOP, " … ", 24),
        )
        .select_from(_FTS_TABLE)
        .where(_FTS.op("MATCH")(fts_match(query)), _FTS_CASE_ID.in_(ids))
        .order_by(func.bm25(_FTS, *_BM25_WEIGHTS))
    )
    best: dict[int, tuple[int, str]] = {}
    for case_id, message_id, *texts in session.execute(stmt):
        if message_id is None:
            names = ("reference", "business_id", "organisation", "contact", "description")
            fields[case_id] = dict(zip(names, texts[:5], strict=True))
        elif case_id not in best:
            best[case_id] = (message_id, texts[5])
    chosen = [message_id for message_id, _ in best.values()]
    visibility: dict[int, str] = {
        message_id: kind
        for message_id, kind in session.execute(
            select(CaseMessage.id, CaseMessage.visibility).where(CaseMessage.id.in_(chosen))
        )
    }
    messages = [(c, visibility.get(m, "public"), t) for c, (m, t) in best.items()]
    return fields, messages


# --- why each case matched ----------------------------------------------------------------


def _why(
    session: Session, query: SearchQuery, cases: Sequence[Case], postgres: bool
) -> dict[int, list[Match]]:
    if not cases:
        return {}
    ids = [c.id for c in cases]
    fields, messages = (
        _pg_why(session, query, ids) if postgres else _sqlite_why(session, query, ids)
    )
    found: dict[int, list[Match]] = {case_id: [] for case_id in ids}
    for c in cases:
        texts = fields.get(c.id, {})
        if c.reference in query.references or has_hit(texts.get("reference", "")):
            found[c.id].append(Match("reference", ((c.reference, True),)))
        if c.business_id in query.business_ids or has_hit(texts.get("business_id", "")):
            found[c.id].append(Match("business_id", ((c.business_id, True),)))
        for name in ("organisation", "contact", "description"):
            text = texts.get(name, "")
            if has_hit(text):
                found[c.id].append(Match(name, tuple(segments(text))))
    for case_id, visibility, text in messages:
        kind = "note" if visibility == "internal" else "message"
        found[case_id].append(Match(kind, tuple(segments(text))))
    return found
