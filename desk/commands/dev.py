"""`desk dev-ports`: the ports `make run` uses, moved to free ones when taken."""

from __future__ import annotations

import click

from desk.config import load_config


@click.command("dev-ports")
@click.option("--web-port", type=int, default=8000, show_default=True)
@click.option(
    "--smtp-port", type=int, default=None, help="Default: SMTP_PORT of the configuration."
)
@click.option("--no-mail", is_flag=True, help="No mail catcher (a real SMTP_HOST is set).")
def dev_ports(web_port: int, smtp_port: int | None, no_mail: bool) -> None:
    """Print `export` lines of free ports for the web and the mail catcher (for eval).

    A wanted port that is taken is replaced by a free one, and stderr says so.
    """
    from desk.devports import choose

    choices = [choose("web", web_port)]
    if not no_mail:
        wanted = smtp_port or int(load_config()["SMTP_PORT"])
        choices.append(choose("mail catcher (SMTP)", wanted, avoid={choices[0].port}))
    names = {"web": "DESK_WEB_PORT", "mail catcher (SMTP)": "DESK_SMTP_PORT"}
    for choice in choices:
        if choice.moved:
            click.echo(
                f"Port {choice.wanted} ({choice.purpose}) is taken: using {choice.port}. "
                f"Set {names[choice.purpose]} to choose another.",
                err=True,
            )
        click.echo(f"export {names[choice.purpose]}={choice.port}")
