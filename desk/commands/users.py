"""`desk users ...`: create, disable and enable staff members from the server's shell."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from desk.config import load_config, session_settings
from desk.services.access import Actor, Channel

CLI = Actor.system(Channel.CLI)


@contextmanager
def _session() -> Iterator[tuple[Session, dict[str, object]]]:
    from desk.db import make_engine, make_session_factory, session_scope

    config = load_config()
    engine = make_engine(config["DATABASE_URL"])
    try:
        with session_scope(make_session_factory(engine, session_settings(config))) as session:
            yield session, config
    finally:
        engine.dispose()


def _fail(errors: dict[str, str]) -> None:
    for field, code in errors.items():
        click.echo(f"{field}: {code}", err=True)
    sys.exit(2)


def _read_password() -> str:
    """The password from standard input: typed twice on a terminal, else its first line."""
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


@click.group()
def users() -> None:
    """Staff members: create, disable, enable (every change is recorded)."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["adviser", "manager", "admin"]))
@click.option("--authority", required=True, type=click.Choice(["lahti", "paijat-hame"]))
@click.option("--team", "teams", multiple=True, help="A team's slug; repeat for several.")
@click.option(
    "--language",
    "languages",
    multiple=True,
    type=click.Choice(["fi", "sv", "en"]),
    help="Languages spoken, first = the desk's language for them (default fi).",
)
@click.option(
    "--invite",
    is_flag=True,
    help="Email a set-password link instead of reading the password from standard input.",
)
def create(
    email: str,
    name: str,
    role: str,
    authority: str,
    teams: tuple[str, ...],
    languages: tuple[str, ...],
    invite: bool,
) -> None:
    """Create a staff member; the password is read from standard input (or --invite)."""
    from desk.services import staff_admin

    password = None if invite else _read_password()
    data = staff_admin.StaffInput(
        email=email,
        name=name,
        role=role,
        authority=authority,
        teams=teams,
        languages=languages or ("fi",),
    )
    with _session() as (session, _config):
        try:
            user = staff_admin.create_staff(session, CLI, data, password, invite=invite)
        except staff_admin.InvalidStaff as exc:
            _fail(exc.errors)
            return
    if invite:
        click.echo(
            f"Created {role} {user.email} ({authority}); a set-password link (valid 72 hours) "
            "is on its way by email."
        )
    else:
        click.echo(f"Created {role} {user.email} ({authority}); they can sign in now.")


def _set_active(email: str, active: bool) -> None:
    from desk.services import staff_admin
    from desk.services.errors import NotFound

    with _session() as (session, _config):
        try:
            user = staff_admin.user_by_email(session, email)
        except NotFound:
            click.echo(f"No staff member with email {email}.", err=True)
            sys.exit(1)
        staff_admin.set_active(session, CLI, user.id, active)
    click.echo(f"{email} is now {'active' if active else 'disabled'}.")


@users.command("invite")
@click.option("--email", required=True)
def invite_again(email: str) -> None:
    """Email a new set-password link (72 hours, used once) to an active staff member."""
    from desk.services import staff_admin
    from desk.services.errors import Forbidden, NotFound

    with _session() as (session, _config):
        try:
            user = staff_admin.user_by_email(session, email)
            staff_admin.send_invitation(session, CLI, user.id)
        except NotFound:
            click.echo(f"No staff member with email {email}.", err=True)
            sys.exit(1)
        except Forbidden:
            click.echo(f"{email} is deactivated: enable them first.", err=True)
            sys.exit(1)
    click.echo(f"A set-password link (valid 72 hours) is on its way to {email}.")


@users.command("disable")
@click.option("--email", required=True)
def disable(email: str) -> None:
    """Deactivate a staff member: no sign-in, sessions and API tokens stop at once."""
    _set_active(email, False)


@users.command("enable")
@click.option("--email", required=True)
def enable(email: str) -> None:
    """Reactivate a staff member."""
    _set_active(email, True)
