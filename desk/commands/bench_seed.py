"""`desk seed bench --cases N`: fill an empty PostgreSQL database for `make bench`."""

from __future__ import annotations

import sys

import click

from desk.config import load_config, session_settings


@click.group("seed")
def seed() -> None:
    """Synthetic data for measurements (never in production)."""


@seed.command("bench")
@click.option("--cases", "count", type=click.IntRange(min=1), default=10_000, show_default=True)
def seed_bench(count: int) -> None:
    """Add COUNT cases over three years (PostgreSQL; the database must have no cases yet)."""
    from desk.db import make_engine, make_session_factory, session_scope
    from desk.services import bench_seed, routing, schema

    config = load_config()
    if config["ENV"] == "production":
        raise click.UsageError("synthetic cases are never seeded in production")
    schema.upgrade(config["DATABASE_URL"])
    engine = make_engine(config["DATABASE_URL"])
    try:
        with (
            session_scope(make_session_factory(engine, session_settings(config))) as session,
            click.progressbar(length=count, label="Seeding cases", file=sys.stderr) as bar,
        ):
            routing.ensure_ready(
                session, config["REFERENCE_DATA_FILE"], config["ROUTING_RULES_FILE"]
            )
            session.commit()
            try:
                result = bench_seed.seed_cases(session, count, progress=bar.update)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
    click.echo(f"Seeded {result.cases} cases ({result.open_cases} open) in {result.seconds:.1f} s.")
