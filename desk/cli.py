"""`desk ...` commands, thin over services."""

from __future__ import annotations

import json
import sys
import time
from datetime import date, datetime
from typing import Any

import click

from desk.config import load_config, session_settings


@click.group()
def main() -> None:
    """The Päijät-Häme employer desk."""


@main.group()
def db() -> None:
    """Database schema (Alembic)."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the configured database to the latest revision."""
    from desk.services import schema

    schema.upgrade(load_config()["DATABASE_URL"])


@db.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree."""
    from desk.services import schema

    schema.check(load_config()["DATABASE_URL"])
    click.echo("Models and migrations agree.")


@db.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models."""
    from desk.services import schema

    schema.revision(load_config()["DATABASE_URL"], message)


@main.command()
@click.option("--demo/--no-demo", default=True, help="Create the demo staff (not in production).")
@click.option(
    "--demo-cases/--no-demo-cases",
    default=True,
    help="With --demo, also create demo cases near and past their SLA targets.",
)
def setup(demo: bool, demo_cases: bool) -> None:
    """Migrate, load reference data and demo users; idempotent."""
    from desk.db import make_engine, make_session_factory, session_scope
    from desk.services import demo_cases as demo_case_service
    from desk.services import reference_data, routing, schema, sla_policies, users

    config = load_config()
    schema.upgrade(config["DATABASE_URL"])
    engine = make_engine(config["DATABASE_URL"])
    created: list[str] = []
    with session_scope(make_session_factory(engine, session_settings(config))) as session:
        reference_data.load_reference_data(session, config["REFERENCE_DATA_FILE"])
        sla_policies.load_sla_config(session, config["SLA_CONFIG_FILE"])
        routing.seed_rules(session, config["ROUTING_RULES_FILE"])
        shown = []
        if demo and config["ENV"] != "production":
            shown = users.load_demo_users(session, config["DEMO_USERS_FILE"])
            if demo_cases:
                created = demo_case_service.create_demo_cases(session)
    engine.dispose()
    click.echo("Database ready: " + _redact(config["DATABASE_URL"]))
    if shown:
        click.echo(f"\nDemo sign-ins (password for all: {shown[0][1]}):")
        for email, _password, description in shown:
            click.echo(f"  {email:38} {description}")
    if created:
        click.echo("\nDemo cases near and past their SLA targets: " + ", ".join(created))


@main.command("demo-cases")
def demo_cases_command() -> None:
    """Create the demo cases near and past their SLA targets (development only; idempotent)."""
    from desk.db import make_engine, make_session_factory, session_scope
    from desk.services import demo_cases

    config = load_config()
    if config["ENV"] == "production":
        raise click.UsageError("demo cases are never created in production")
    engine = make_engine(config["DATABASE_URL"])
    with session_scope(make_session_factory(engine, session_settings(config))) as session:
        created = demo_cases.create_demo_cases(session)
    engine.dispose()
    click.echo(", ".join(created) if created else "The demo cases exist already.")


@main.group()
def sla() -> None:
    """Service levels: business-time arithmetic on the desk's calendar."""


_TARGETS = {"first-response": "first_response", "resolution": "resolution"}


def _parse_start(_ctx: click.Context, _param: click.Parameter, value: str) -> datetime:
    from desk.domain.business_calendar import HELSINKI

    try:
        start = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time, e.g. 2026-12-23T15:00:00+02:00 or "
            "2026-12-23T13:00:00Z"
        ) from exc
    # A time without an offset is read as Helsinki time, where the business rules live.
    return start if start.tzinfo is not None else start.replace(tzinfo=HELSINKI)


@sla.command("due")
@click.option("--start", required=True, callback=_parse_start, help="ISO 8601 instant.")
@click.option(
    "--minutes", type=click.IntRange(min=0), default=None, help="Business minutes to add."
)
@click.option("--need", default=None, help="Need code: use its default policy.")
@click.option(
    "--target",
    type=click.Choice(sorted(_TARGETS)),
    default=None,
    help="With --need: which target of the policy.",
)
@click.option("--json", "as_json", is_flag=True, help='Print {"due": ISO8601}.')
def sla_due(
    start: datetime, minutes: int | None, need: str | None, target: str | None, as_json: bool
) -> None:
    """When a target falls due: N business minutes after start, on the default calendar.

    Either --minutes N, or --need CODE with --target first-response|resolution (the default
    policy of config/sla.toml). The answer carries the Europe/Helsinki offset.
    """
    from desk.domain.business_calendar import CalendarError, calendar_for
    from desk.domain.sla import Target
    from desk.services.sla_config import SlaConfigError, read_sla_config

    config = load_config()
    try:
        sla_config = read_sla_config(config["SLA_CONFIG_FILE"])
    except SlaConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if (minutes is None) == (need is None):
        raise click.UsageError("give either --minutes N or --need CODE with --target")
    if need is not None:
        if target is None:
            raise click.UsageError("--need needs --target first-response or resolution")
        policy = sla_config.policy_for(need)
        if policy is None:
            known = ", ".join(sorted({code for code, _priority in sla_config.policies}))
            raise click.BadParameter(
                f"unknown need {need!r}; known needs: {known}", param_hint="'--need'"
            )
        minutes = policy.minutes(Target(_TARGETS[target]))
    elif target is not None:
        raise click.UsageError("--target goes with --need, not with --minutes")
    try:
        due = calendar_for(sla_config.hours).add_business_minutes(start, minutes or 0)
    except (CalendarError, OverflowError) as exc:
        raise click.BadParameter(
            f"{minutes} business minutes is too far ahead to count ({exc})",
            param_hint="'--minutes'",
        ) from exc
    text = due.isoformat()
    click.echo(json.dumps({"due": text}) if as_json else text)


@main.command("route")
@click.option("--municipality", required=True, help="A code (398), or a Finnish or Swedish name.")
@click.option("--need", required=True, help="A need code of the catalogue, e.g. recruitment.")
@click.option("--affected-employees", type=click.IntRange(min=0), default=None)
@click.option("--business-id", default="", help="The employer's Business ID (key accounts).")
@click.option("--language", type=click.Choice(["fi", "sv", "en"]), default="fi", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def route_command(
    municipality: str,
    need: str,
    affected_employees: int | None,
    business_id: str,
    language: str,
    as_json: bool,
) -> None:
    """Show where the rules in the database send a request, and why.

    An empty database is migrated and seeded from config/ first.
    """
    import json

    from desk.db import make_engine, make_session_factory, session_scope
    from desk.domain.business_id import InvalidBusinessId
    from desk.services import reference_data, routing, schema

    config = load_config()
    schema.upgrade(config["DATABASE_URL"])
    engine = make_engine(config["DATABASE_URL"])
    try:
        with session_scope(make_session_factory(engine, session_settings(config))) as session:
            routing.ensure_ready(
                session, config["REFERENCE_DATA_FILE"], config["ROUTING_RULES_FILE"]
            )
            codes = [n.code for n in reference_data.list_needs(session)]
            if need not in codes:
                raise click.BadParameter(
                    f"unknown need {need!r}; valid codes: {', '.join(codes)}",
                    param_hint="'--need'",
                )
            try:
                routed = routing.route_request(
                    session,
                    municipality_text=municipality,
                    need=need,
                    affected_employees=affected_employees,
                    business_id=business_id,
                    language=language,
                )
            except InvalidBusinessId as exc:
                raise click.BadParameter(
                    f"{business_id!r} is not a valid Business ID (NNNNNNN-C)",
                    param_hint="'--business-id'",
                ) from exc
            session.commit()
    finally:
        engine.dispose()
    decision = routed.decision
    result = {
        "team": decision.team,
        "authority": decision.authority,
        "rule": decision.rule,
        "reason": decision.reason,
        "rule_version": routed.rule_version,
        "municipality": routed.municipality_code,
        "need": need,
        "affected_employees": affected_employees,
        "language": language,
        "key_account_adviser": (
            routed.key_account_adviser.email if routed.key_account_adviser else None
        ),
    }
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    click.echo(f"Team:      {decision.team}")
    click.echo(f"Authority: {decision.authority}")
    click.echo(f"Rule:      {decision.rule} (rule set version {routed.rule_version})")
    if routed.key_account_adviser:
        click.echo(f"Key-account adviser: {routed.key_account_adviser.email}")
    click.echo(f"Reason:    {decision.reason}")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=None, type=int, help="Default: SMTP_PORT of the configuration.")
def mailcatcher(host: str, port: int | None) -> None:
    """Run the development SMTP catcher; admins read the mail on /admin/dev/mail."""
    from desk.services.mailcatcher import start_catcher

    config = load_config()
    controller = start_catcher(config["MAILCATCHER_DIR"], host, port or int(config["SMTP_PORT"]))
    click.echo(f"Mail catcher on smtp://{host}:{controller.port} -> {config['MAILCATCHER_DIR']}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


# --- reports (self-contained: other command groups are appended after it) -------------------


@main.group()
def report() -> None:
    """Reports for operators: read everything (the desk itself is the actor)."""


def _report_date(_ctx: click.Context, param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param=param) from exc


_REPORT_FIELDS = {
    "from": "--from",
    "to": "--to",
    "authority": "--authority",
}
_REPORT_CODES = {
    "before_from": "is before --from",
    "out_of_range": "is outside the years 2000-2100",
    "invalid": "is not an authority of the desk",
}


def _report_table(result: dict[str, Any]) -> list[str]:
    """The report as aligned text lines: total, authorities, teams."""

    def shown(value: object) -> str:
        return "-" if value is None else str(value)

    header = (
        f"{'':32} {'recv':>5} {'res':>5} {'FR met':>6} {'FR br':>5} {'FR %':>6} "
        f"{'RS met':>6} {'RS br':>5} {'RS %':>6} {'FR med':>7} {'FR p90':>7} "
        f"{'RS med':>7} {'RS p90':>7}"
    )
    lines = [
        f"SLA report {result['period']['from']} .. {result['period']['to']} (Europe/Helsinki)",
        "FR = first response, RS = resolution; minutes are business minutes.",
        header,
    ]
    rows = [("total", result["total"])]
    rows += [(f"authority {slug}", m) for slug, m in result["authorities"].items()]
    rows += [(f"  {slug}", m) for slug, m in result["teams"].items()]
    for name, m in rows:
        fr, rs = m["first_response"], m["resolution"]
        frm, rsm = m["first_response_minutes"], m["resolution_minutes"]
        lines.append(
            f"{name:32} {m['received']:>5} {m['resolved']:>5} {fr['met']:>6} "
            f"{fr['breached']:>5} {shown(fr['compliance']):>6} {rs['met']:>6} "
            f"{rs['breached']:>5} {shown(rs['compliance']):>6} {shown(frm['median']):>7} "
            f"{shown(frm['p90']):>7} {shown(rsm['median']):>7} {shown(rsm['p90']):>7}"
        )
    return lines


@report.command("sla")
@click.option("--from", "date_from", required=True, callback=_report_date, help="YYYY-MM-DD.")
@click.option("--to", "date_to", required=True, callback=_report_date, help="YYYY-MM-DD.")
@click.option("--authority", default=None, help="lahti or paijat-hame: that authority's teams.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def report_sla(date_from: date, date_to: date, authority: str | None, as_json: bool) -> None:
    """Service levels of a period of Helsinki dates (inclusive), per team and authority.

    The definitions of the measures: README "Reports" (desk.domain.reports.MEASURES).
    """
    from desk.db import make_engine, make_session_factory, session_scope
    from desk.domain.errors import FieldErrors
    from desk.services import routing, schema
    from desk.services.access import Actor, Channel
    from desk.services.reports.sla_report import sla_report

    if date_to < date_from:  # before touching the database
        raise click.BadParameter("is before --from", param_hint="'--to'")
    config = load_config()
    schema.upgrade(config["DATABASE_URL"])
    engine = make_engine(config["DATABASE_URL"])
    try:
        with session_scope(make_session_factory(engine, session_settings(config))) as session:
            routing.ensure_ready(
                session, config["REFERENCE_DATA_FILE"], config["ROUTING_RULES_FILE"]
            )
            try:
                result = sla_report(
                    session, Actor.system(Channel.CLI), date_from, date_to, authority
                ).as_json()
            except FieldErrors as exc:
                name, code = next(iter(exc.errors.items()))
                raise click.BadParameter(
                    _REPORT_CODES.get(code, code), param_hint=f"'{_REPORT_FIELDS.get(name, name)}'"
                ) from exc
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    for line in _report_table(result):
        click.echo(line)


# --- desk import ... (history from the previous system) ------------------------------------


@main.group("import")
def import_group() -> None:
    """Bring history from the previous system into the desk."""


@import_group.command("cases")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Cases per transaction.",
)
def import_cases_command(file: str, batch_size: int) -> None:
    """Import past cases from FILE, JSON Lines (one case a line; - reads stdin).

    Silent (no email, webhook or SLA warning) and idempotent by external_id. Rejected lines
    are reported on stderr with their line number; the exit status is then 1.
    """
    import os
    from collections.abc import Iterator

    from desk.db import make_engine, make_session_factory, session_scope
    from desk.services import history_import, routing, schema

    config = load_config()
    schema.upgrade(config["DATABASE_URL"])
    engine = make_engine(config["DATABASE_URL"])
    stream = click.open_file(file, encoding="utf-8", errors="replace")
    interactive = sys.stdout.isatty() or sys.stderr.isatty()
    size = os.path.getsize(file) if file != "-" else 0
    try:
        with (
            stream,
            session_scope(make_session_factory(engine, session_settings(config))) as session,
            click.progressbar(
                length=size or 1, label="Importing", file=sys.stderr, hidden=not interactive
            ) as bar,
        ):
            routing.ensure_ready(
                session, config["REFERENCE_DATA_FILE"], config["ROUTING_RULES_FILE"]
            )

            def lines() -> Iterator[str]:
                # Progress by bytes read: the file's size is known, its line count is not.
                for line in stream:
                    if size:
                        bar.update(len(line.encode("utf-8")))
                    yield line

            result = history_import.import_cases(session, lines(), batch_size=batch_size)
    finally:
        engine.dispose()
    for number, reason in result.rejected:
        click.echo(f"line {number}: {reason}", err=True)
    click.echo(
        f"Imported {result.imported} case(s); {result.skipped} already imported; "
        f"{len(result.rejected)} line(s) rejected."
    )
    if result.rejected:
        sys.exit(1)


@import_group.command("employers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Rows per transaction.",
)
def import_employers_command(file: str, batch_size: int) -> None:
    """Import employers and their key-account advisers from FILE (CSV with a header:
    business_id, name, municipality, key_account_email).

    Every row is checked; rejected rows are reported on stderr with their line number and
    the exit status is then 1. Re-importing a file updates the employers in place.
    """
    from desk.db import make_engine, make_session_factory, session_scope
    from desk.services import employer_import, schema

    config = load_config()
    schema.upgrade(config["DATABASE_URL"])
    with open(file, encoding="utf-8-sig", newline="") as fh:
        rows = max(sum(1 for _ in fh) - 1, 0)  # the bar's length: lines after the header
    engine = make_engine(config["DATABASE_URL"])
    try:
        with (
            open(file, encoding="utf-8-sig", errors="replace", newline="") as stream,
            session_scope(make_session_factory(engine, session_settings(config))) as session,
            click.progressbar(
                length=rows or 1, label="Importing employers", file=sys.stderr
            ) as bar,
        ):
            try:
                result = employer_import.import_employers(
                    session, stream, batch_size=batch_size, progress=bar.update
                )
            except employer_import.BadFile as exc:
                raise click.UsageError(str(exc)) from exc
    finally:
        engine.dispose()
    for number, reason in result.rejected:
        click.echo(f"line {number}: {reason}", err=True)
    click.echo(
        f"Imported {result.imported} employer(s), {result.key_accounts} with a key-account "
        f"adviser; {len(result.rejected)} row(s) rejected."
    )
    if result.rejected:
        sys.exit(1)


# --- command groups kept in desk/commands/ (one line each) ----------------------------------

from desk.commands.admin_tools import admin as _admin_group  # noqa: E402
from desk.commands.dev import dev_ports as _dev_ports  # noqa: E402
from desk.commands.users import users as _users_group  # noqa: E402

main.add_command(_users_group)
main.add_command(_dev_ports)
main.add_command(_admin_group)
from desk.commands.inbound import inbound  # noqa: E402
from desk.commands.portal import portal as _portal_group  # noqa: E402

main.add_command(inbound)
main.add_command(_portal_group)
from desk.commands.audit import audit_group  # noqa: E402

main.add_command(audit_group)

from desk.commands.bench_seed import seed as _seed  # noqa: E402

main.add_command(_seed)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
