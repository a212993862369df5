"""`desk import employers`: employers and their key-account advisers from a CSV file.

Columns (a header row, UTF-8, comma or semicolon): business_id, name, municipality (code
such as 398 or the Finnish or Swedish name; may be empty), key_account_email (an active
adviser; may be empty). Each row is checked on its own; a bad row is reported with its
line number and reason and the rest are stored. Re-running the same file updates in place.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.domain.business_id import InvalidBusinessId, normalise_business_id
from desk.models import Employer, KeyAccount, Municipality, User, utcnow
from desk.services.access import Role

COLUMNS = ("business_id", "name", "municipality", "key_account_email")
REQUIRED = ("business_id", "name")


@dataclass
class ImportResult:
    """How many employers were stored and which lines were rejected, and why."""

    imported: int = 0
    key_accounts: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


class BadFile(ValueError):
    """The file cannot be read as the employers CSV (its header is wrong)."""


def read_rows(lines: Iterable[str]) -> csv.DictReader[str]:
    """A CSV reader over the lines; the delimiter is sniffed (comma or semicolon)."""
    iterator = iter(lines)
    first = next(iterator, "")
    delimiter = ";" if first.count(";") > first.count(",") else ","

    def chained() -> Iterable[str]:
        yield first
        yield from iterator

    reader = csv.DictReader(chained(), delimiter=delimiter)
    header = [(name or "").strip().lower().lstrip("\ufeff") for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise BadFile(f"the header lacks {', '.join(missing)} (columns: {', '.join(COLUMNS)})")
    reader.fieldnames = header
    return reader


def import_employers(
    session: Session,
    lines: Iterable[str],
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Validate and store every row; commits every batch_size rows."""
    municipalities: dict[str, str] = {}
    for m in session.scalars(select(Municipality)):
        municipalities[m.code] = m.code
        municipalities[m.name_fi.lower()] = m.code
        municipalities[m.name_sv.lower()] = m.code
    advisers: dict[str, User | None] = {}
    result = ImportResult()
    seen: set[str] = set()
    reader = read_rows(lines)
    pending = 0
    for row in reader:
        line = reader.line_num
        if progress:
            progress(1)
        try:
            employer, adviser = _checked_row(session, row, municipalities, advisers, seen)
        except ValueError as exc:
            result.rejected.append((line, str(exc)))
            continue
        stored = session.get(Employer, employer.business_id)
        if stored is None:
            session.add(employer)
        else:
            stored.name, stored.municipality_code = employer.name, employer.municipality_code
            stored.updated_at = utcnow()
        if adviser is not None:
            account = session.get(KeyAccount, employer.business_id)
            if account is None:
                account = KeyAccount(business_id=employer.business_id)
                session.add(account)
            account.adviser_id = adviser.id
            account.adviser = adviser
            result.key_accounts += 1
        result.imported += 1
        pending += 1
        if pending >= batch_size:
            session.commit()
            pending = 0
    session.commit()
    return result


def _checked_row(
    session: Session,
    row: dict[str, str | None],
    municipalities: dict[str, str],
    advisers: dict[str, User | None],
    seen: set[str],
) -> tuple[Employer, User | None]:
    def value(name: str) -> str:
        return (row.get(name) or "").strip()

    try:
        business_id = normalise_business_id(value("business_id"))
    except InvalidBusinessId as exc:
        raise ValueError(f"business_id: {exc.code} ({value('business_id')!r})") from exc
    if business_id in seen:
        raise ValueError(f"business_id: {business_id} is already on an earlier line")
    name = value("name")
    if not name:
        raise ValueError("name: required")
    if len(name) > 200:
        raise ValueError("name: longer than 200 characters")
    municipality = value("municipality")
    code = municipalities.get(municipality.lower()) if municipality else None
    if municipality and code is None:
        raise ValueError(f"municipality: unknown ({municipality!r})")
    email = value("key_account_email").lower()
    adviser = None
    if email:
        if email not in advisers:
            advisers[email] = session.scalar(
                select(User).where(
                    func.lower(User.email) == email,
                    User.active.is_(True),
                    User.role == Role.ADVISER,
                )
            )
        adviser = advisers[email]
        if adviser is None:
            raise ValueError(f"key_account_email: no active adviser {email}")
    seen.add(business_id)
    return Employer(business_id=business_id, name=name, municipality_code=code), adviser
