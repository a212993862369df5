"""`desk admin ...`: health of the queues and the outbox, export cases, rebuild the search
index, re-run the routing dry run. Long work shows a progress bar on a terminal."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

import click
from sqlalchemy.orm import Session

from desk.config import broker_url, load_config, session_settings


@contextmanager
def _session() -> Iterator[tuple[Session, dict[str, Any]]]:
    from desk.db import make_engine, make_session_factory, session_scope

    config = load_config()
    engine = make_engine(config["DATABASE_URL"])
    try:
        with session_scope(make_session_factory(engine, session_settings(config))) as session:
            yield session, config
    finally:
        engine.dispose()


def _interactive() -> bool:
    return sys.stderr.isatty()


@click.group("admin")
def admin() -> None:
    """Operations: health, exports, index rebuilds, routing dry runs."""


@admin.command("health")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def health(as_json: bool) -> None:
    """The outbox (backlog, oldest undelivered row, dead letters), the broker's queues and
    the open cases by SLA state. Exit status 1 when the outbox is older than the readiness
    threshold (READY_OUTBOX_MAX_AGE_SECONDS) or the broker cannot be reached."""
    from desk.queue import QUEUES
    from desk.services import ops_health
    from desk.services.health import check_broker

    with _session() as (session, config):
        outbox = ops_health.outbox_health(session)
        cases = ops_health.open_cases_by_sla_state(session)
        stale = ops_health.outbox_is_fresh(outbox, float(config["READY_OUTBOX_MAX_AGE_SECONDS"]))
        broker = check_broker(broker_url(config))
        queues = _queue_lengths(config, QUEUES) if broker is None else {}
    result = {
        "outbox": {
            "by_status": outbox.by_status,
            "backlog": outbox.backlog,
            "oldest_undelivered_age_seconds": outbox.oldest_undelivered_age_seconds,
            "retrying": outbox.retrying,
            "dead": outbox.dead,
        },
        "broker": broker or "ok",
        "queues": queues,
        "open_cases": cases,
        "ready": stale is None and broker is None,
    }
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        age = outbox.oldest_undelivered_age_seconds
        click.echo(f"Outbox backlog:      {outbox.backlog} (retrying {outbox.retrying})")
        click.echo(f"Oldest undelivered:  {'-' if age is None else f'{int(age)} s'}")
        click.echo(f"Dead letters:        {outbox.dead}")
        click.echo(f"Broker:              {broker or 'ok'}")
        for name, length in queues.items():
            click.echo(f"Queue {name + ':':<14}{'?' if length is None else length}")
        click.echo("Open cases:          " + ", ".join(f"{k} {v}" for k, v in cases.items()))
        if stale:
            click.echo(f"NOT READY: {stale}")
    if not result["ready"]:
        sys.exit(1)


def _queue_lengths(config: dict[str, Any], names: tuple[str, ...]) -> dict[str, int | None]:
    """Messages waiting in each queue (Redis only; the embedded broker does not say)."""
    if not config.get("REDIS_URL"):
        return {name: None for name in names}
    import redis

    client = redis.Redis.from_url(str(config["REDIS_URL"]))
    prefix = str(config.get("REDIS_KEY_PREFIX") or "")
    try:
        return {name: int(client.llen(prefix + name)) for name in names}
    finally:
        client.close()


def _day(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param=param) from exc


def _helsinki_start(day: date | None) -> datetime | None:
    from desk.domain.business_calendar import HELSINKI

    return datetime.combine(day, time(0), tzinfo=HELSINKI) if day else None


@admin.command("export-cases")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option("--from", "date_from", callback=_day, help="Received on or after (Helsinki date).")
@click.option("--to", "date_to", callback=_day, help="Received on or before (Helsinki date).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="The file to write (- for standard output).",
)
def export_cases(fmt: str, date_from: date | None, date_to: date | None, output: str) -> None:
    """Export cases (their facts, not the contact person's details) as CSV or JSON Lines."""
    from desk.services import admin_tools

    since = _helsinki_start(date_from)
    until = _helsinki_start(date_to + timedelta(days=1)) if date_to else None
    written = 0
    with (
        _session() as (session, _config),
        click.open_file(output, "w", encoding="utf-8") as out,
    ):
        total = admin_tools.count_cases(session, since, until)
        writer = (
            csv.DictWriter(out, fieldnames=admin_tools.EXPORT_COLUMNS, lineterminator="\n")
            if fmt == "csv"
            else None
        )
        if writer:
            writer.writeheader()
        with click.progressbar(
            length=total or 1, label="Exporting cases", file=sys.stderr, hidden=not _interactive()
        ) as bar:
            for row in admin_tools.export_cases(session, since, until):
                if writer:
                    writer.writerow(row)
                else:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                written += 1
                bar.update(1)
    click.echo(f"Exported {written} case(s).", err=True)


@admin.command("rebuild-search")
def rebuild_search() -> None:
    """Rebuild the full-text search index of cases and messages."""
    from desk.services import admin_tools

    with _session() as (session, _config):
        total = admin_tools.search_index_size(session)
        with click.progressbar(
            length=total or 1, label="Indexing", file=sys.stderr, hidden=not _interactive()
        ) as bar:
            done = admin_tools.rebuild_search_index(session, bar.update)
    click.echo(f"Search index rebuilt: {done} row(s).")


@admin.command("routing-dry-run")
@click.option("--days", type=click.IntRange(min=1, max=365), default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def routing_dry_run(days: int, as_json: bool) -> None:
    """Re-route the cases of the last DAYS days under the draft rules and the published
    ones; show how many would move, and where. Changes nothing."""
    from desk.services import routing_rules

    with _session() as (session, _config):
        result = routing_rules.dry_run(session, days)
    outcome = result.outcome
    if as_json:
        body = {
            "days": days,
            "published": result.published_number,
            "draft": result.draft_number,
            "has_draft": result.has_draft,
            "total": outcome.total,
            "moved": outcome.moved,
            "moves": [
                {"from": m.from_team, "to": m.to_team, "count": m.count, "cases": list(m.keys)}
                for m in outcome.moves
            ],
        }
        click.echo(json.dumps(body, ensure_ascii=False))
        return
    if not result.has_draft:
        click.echo(
            f"No draft: the published rules (version {result.published_number}) are in force."
        )
    click.echo(
        f"{outcome.moved} of {outcome.total} case(s) of the last {days} days would move "
        f"(draft {result.draft_number} against published {result.published_number})."
    )
    for move in outcome.moves:
        click.echo(f"  {move.from_team} -> {move.to_team}: {move.count}")
