"""Every notification email through a real Celery worker (thread, embedded broker) to a real
SMTP server: the employer's five emails in each language, staff email in the adviser's
language, the daily digest task; and the SMTP channel's STARTTLS, SSL and credentials.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from celery.contrib.testing.worker import start_worker
from sqlalchemy import select

from desk.app import create_app
from desk.models import OutboxMessage
from desk.services import cases, mailer, outbox, reference_data, routing, schema, sla, users
from desk.services.mailcatcher import FilingHandler, start_catcher
from desk.services.notify import preferences, publish
from desk.services.notify.spec import email_choices_link
from tests.conftest import REFERENCE_FILE, ROUTING_FILE, raw_submission
from tests.support.actors import as_staff
from tests.support.services import free_port
from tests.support.tiers import unavailable
from tests.workers.test_delivery import received, wait_for
from workers.celery_app import make_celery

SENDER_PH = "Päijät-Hämeen työvoimapalvelut <ph@desk.invalid>"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """App, worker thread on the embedded broker, and a running SMTP catcher."""
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    schema.upgrade(url)
    smtp_port = free_port()
    app = create_app(
        {
            "DATABASE_URL": url,
            "SMTP_PORT": smtp_port,
            "BASE_URL": "http://desk.test",
            "BROKER_SQLITE_PATH": str(tmp_path / "broker.sqlite3"),
            "MAIL_FROM_PAIJAT_HAME": SENDER_PH,
        }
    )
    with app.extensions["desk.sessions"]() as session:
        reference_data.load_reference_data(session, REFERENCE_FILE)
        routing.seed_rules(session, ROUTING_FILE)
    celery = make_celery(app)
    catcher = start_catcher(tmp_path / "mail", port=smtp_port)
    try:
        with start_worker(
            celery, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=15
        ):
            yield {"app": app, "celery": celery, "mail": tmp_path / "mail"}
    finally:
        catcher.stop()
        app.extensions["desk.engine"].dispose()


def relay_until(desk: dict[str, Any], count: int) -> list[EmailMessage]:
    def enough() -> list[EmailMessage] | None:
        desk["celery"].send_task("desk.relay_outbox")
        mails = received(desk["mail"])
        return mails if len(mails) >= count else None

    mails: list[EmailMessage] = wait_for(enough, timeout=60)
    return mails


def test_every_employer_email_in_the_employers_language(desk: dict[str, Any]) -> None:
    app = desk["app"]
    with app.extensions["desk.sessions"]() as session:
        adviser = users.upsert_user(
            session, email="pekka@example.fi", name="Pekka", password="x" * 12,
            role="adviser", authority="paijat-hame",
            teams=["paijat-hame-employer-services"], languages=["sv"],
        )  # fmt: skip
        session.commit()
        made = {}
        for language in ("fi", "sv", "en"):
            case = cases.submit_case(
                session, raw_submission(language=language, email=f"{language}@example.fi")
            )
            cases.claim(session, as_staff(adviser), case.id)
            cases.reply(session, as_staff(adviser), case.id, f"Question in {language}?")
            cases.change_status(session, as_staff(adviser), case.id, "waiting")
            cases.employer_reply(session, case, "Answer.")  # the adviser hears
            cases.change_status(session, as_staff(adviser), case.id, "resolved")
            cases.change_status(session, as_staff(adviser), case.id, "closed")
            made[language] = case

    mails = relay_until(desk, 3 * 5 + 3)
    for language, case in made.items():
        mine = [m for m in mails if m["To"] == f"{language}@example.fi"]
        # received, reply, waiting, resolved, closed (the waiting one quoting the question)
        assert len(mine) == 5, [m["Subject"] for m in mine]
        for message in mine:
            assert message["Content-Language"] == language
            assert case.reference in str(message["Subject"])
            assert message["From"] == SENDER_PH
            assert str(message["Message-ID"]).startswith("<outbox-")
            assert message["Auto-Submitted"] == "auto-generated"
            link = email_choices_link("http://desk.test", app.config["SECRET_KEY"], case)
            # RFC 2369 and 8058: the plain URL (never an RFC 2047 encoded word) and one-click.
            assert message["List-Unsubscribe"] == f"<{link}>"
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            raw = dict(message.raw_items())["List-Unsubscribe"]  # as it came over SMTP
            assert raw.strip() == f"<{link}>"
            text = message.get_body(preferencelist=("plain",)).get_content()
            html = message.get_body(preferencelist=("html",)).get_content()
            assert link in text and link in html
        assert any(f"Question in {language}?" in m.get_body(("plain",)).get_content() for m in mine)

    # The adviser's own email (the employer answered) is in the adviser's language.
    staff = [m for m in mails if m["To"] == "pekka@example.fi"]
    assert len(staff) == 3
    assert {m["Content-Language"] for m in staff} == {"sv"}
    assert all("List-Unsubscribe" not in m for m in staff)
    with app.extensions["desk.sessions"]() as session:
        statuses = set(session.scalars(select(OutboxMessage.status)))
    assert statuses == {"delivered"}


def test_the_daily_digest_task_queues_and_delivers(desk: dict[str, Any]) -> None:
    app = desk["app"]
    with app.extensions["desk.sessions"]() as session:
        users.upsert_user(
            session, email="matti@example.fi", name="Matti", password="x" * 12,
            role="manager", authority="paijat-hame", teams=[], languages=["en"],
        )  # fmt: skip
        adviser = users.upsert_user(
            session, email="aino@example.fi", name="Aino", password="x" * 12,
            role="adviser", authority="paijat-hame",
            teams=["paijat-hame-employer-services"], languages=["sv"],
        )  # fmt: skip
        session.commit()
        choices = {e.key: d.value for e, d in preferences.choices_of(session, adviser.id)}
        preferences.save_choices(session, adviser, {**choices, "employer_replied": "digest"})
        late = cases.submit_case(
            session, raw_submission(), now=datetime(2026, 2, 25, 9, tzinfo=UTC)
        )
        cases.employer_reply(session, late, "Any news?")
        # The SLA sweep records the missed first response that the manager's digest lists.
        sla.sweep(session, now=datetime(2026, 3, 2, 6, tzinfo=UTC))
    # A Monday 08:00 in Helsinki; the task itself decides it is a business day.
    desk["celery"].send_task("desk.send_daily_digests", args=["2026-03-02T08:00:00+02:00"])

    def both_digests() -> list[EmailMessage] | None:
        desk["celery"].send_task("desk.relay_outbox")
        mails = received(desk["mail"])
        dated = [m for m in mails if "2026-03-02" in str(m["Subject"])]
        return mails if len(dated) >= 2 else None

    mails: list[EmailMessage] = wait_for(both_digests, timeout=60)
    # Managers also get the sweep's breach emails; the digest is the one dated that morning.
    (digest,) = [
        m for m in mails if m["To"] == "matti@example.fi" and "2026-03-02" in str(m["Subject"])
    ]
    assert digest["Content-Language"] == "en"
    assert "2026-03-02" in str(digest["Subject"])
    assert late.reference in digest.get_body(("plain",)).get_content()
    # The adviser's summary holds the answer they chose not to get by email at once.
    (summary,) = [
        m for m in mails if m["To"] == "aino@example.fi" and "2026-03-02" in str(m["Subject"])
    ]
    assert summary["Content-Language"] == "sv"
    for part in ("plain", "html"):
        body = summary.get_body((part,)).get_content()
        assert late.reference in body and "Arbetsgivaren svarade" in body  # in Swedish
    # A weekend: nothing more.
    desk["celery"].send_task("desk.send_daily_digests", args=["2026-03-07T08:00:00+02:00"])
    desk["celery"].send_task("desk.relay_outbox")
    with app.extensions["desk.sessions"]() as session:
        wait_for(
            lambda: (
                not session.scalars(
                    select(OutboxMessage).where(OutboxMessage.status != "delivered")
                ).all()
            )
        )
        digests = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "email.daily_digest")
        ).all()
    assert len(digests) == 2


def test_staff_notification_emails_and_the_transfer_email(desk: dict[str, Any]) -> None:
    app = desk["app"]
    with app.extensions["desk.sessions"]() as session:
        adviser = users.upsert_user(
            session, email="aino@example.fi", name="Aino", password="x" * 12,
            role="adviser", authority="paijat-hame",
            teams=["paijat-hame-employer-services"], languages=["en"],
        )  # fmt: skip
        session.commit()
        choices = {e.key: d.value for e, d in preferences.choices_of(session, adviser.id)}
        preferences.save_choices(session, adviser, {**choices, "new_case": "immediate"})
        case = cases.submit_case(session, raw_submission(language="en", email="e@example.fi"))
        publish.case_event(session, case, "case.assigned", None, assignee_id=adviser.id)
        publish.case_event(session, case, "case.transferred", None, from_team="regional-intake")
        # As the routing engine's transfer queues it.
        outbox.enqueue(
            session,
            "email.case_transferred",
            {"case_id": case.id, "team": "paijat-hame-employer-services", "reason": "Local."},
        )
        session.commit()
    mails = relay_until(desk, 5)
    staff = {str(m["Subject"]) for m in mails if m["To"] == "aino@example.fi"}
    assert staff == {
        f"New case {case.reference} in your team's queue",
        f"Case {case.reference} was assigned to you",
        f"Case {case.reference} was transferred to Päijät-Häme employer services",
    }
    (moved,) = [
        m for m in mails if "transferred" in str(m["Subject"]) and m["To"] == "e@example.fi"
    ]
    text = moved.get_body(("plain",)).get_content()
    assert "Local." in text and "Päijät-Häme Employment Services" in text
    from_team = next(m for m in mails if "was transferred to" in str(m["Subject"]))
    assert "from Regional intake" in from_team.get_body(("plain",)).get_content()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, made with the openssl tool."""
    openssl = shutil.which("openssl")
    if openssl is None:
        unavailable("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"desk", b"s3cret")
    return AuthResult(success=ok)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.filterwarnings("ignore:Session.login_data is deprecated")
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_smtp_with_tls_and_credentials_from_configuration(
    tmp_path: Path, certificate: tuple[Path, Path], security: str
) -> None:
    cert, key = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    port = free_port()
    options: dict[str, Any] = {"authenticator": _authenticate, "auth_required": True}
    if security == "starttls":
        options.update(tls_context=server_tls, require_starttls=True, auth_require_tls=True)
    else:
        # aiosmtpd only counts STARTTLS as TLS for AUTH; the whole session is TLS here.
        options.update(ssl_context=server_tls, auth_require_tls=False)
    controller = Controller(
        FilingHandler(tmp_path / "mail"), hostname="127.0.0.1", port=port, **options
    )
    controller.start()
    config = {
        "SMTP_HOST": "localhost",
        "SMTP_PORT": port,
        "SMTP_SECURITY": security,
        "SMTP_USERNAME": "desk",
        "SMTP_PASSWORD": "s3cret",
        "SMTP_TIMEOUT_SECONDS": 5,
        "SMTP_CA_FILE": str(cert),
        "MAIL_FROM": "Desk <desk@desk.invalid>",
    }
    try:
        settings = mailer.SmtpSettings.from_config(config)
        message = mailer.build_message(
            settings, to="a@example.fi", subject="Hei", text="Hei", html="<p>Hei</p>",
            language="fi", sender="Lahti <lahti@desk.invalid>", message_id="<x-1@desk.invalid>",
        )  # fmt: skip
        mailer.send(settings, message)
        (filed,) = received(tmp_path / "mail")
        assert filed["From"] == "Lahti <lahti@desk.invalid>"
        assert filed["Message-ID"] == "<x-1@desk.invalid>"

        # (aiosmtpd leaves smtplib's fallback to AUTH LOGIN waiting: a short timeout.)
        wrong = mailer.SmtpSettings.from_config(
            {**config, "SMTP_PASSWORD": "nope", "SMTP_TIMEOUT_SECONDS": 0.5}
        )
        with pytest.raises(mailer.TRANSIENT_ERRORS) as info:
            mailer.send(wrong, message)
        assert not mailer.is_permanent(info.value)  # a configuration problem: keep retrying
        untrusted = mailer.SmtpSettings.from_config({**config, "SMTP_CA_FILE": ""})
        with pytest.raises(ssl.SSLCertVerificationError):
            mailer.send(untrusted, message)
    finally:
        controller.stop()
