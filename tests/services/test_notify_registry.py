"""One registry of notification kinds: every kind that can be queued is a Kind, has a catalogue
entry and an email builder (or is the webhook's), and its templates exist and render in
Finnish, Swedish and English.

What can be queued is read from the source: every `outbox.enqueue(session, kind, ...)` in
desk/ and workers/, its kind a literal, a constant, or a lookup in a module-level table.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desk.config import PROJECT_ROOT
from desk.domain.notification_catalogue import CASE_EVENTS, KINDS, Audience, Kind
from desk.models import CaseMessage, OutboxMessage, utcnow
from desk.services import cases, sla
from desk.services.case_events import EFFECTS
from desk.services.identity import magic_link
from desk.services.notify.emails import BUILDERS, email_for
from tests.conftest import raw_submission
from tests.support.actors import as_staff
from workers.tasks import render_email

EMAILS = PROJECT_ROOT / "templates" / "emails"
TWINS = (".subject.txt", ".txt", ".html")
# Sites that pass a kind held in a variable, and what holds them to the registry: publish
# queues the kinds of CASE_EVENTS' reactions, emit the emails of case_events.EFFECTS (both
# added to what is queued below).
VARIABLE_SITES = {
    "desk/services/case_events.py:emit",
    "desk/services/notify/publish.py:case_event",
    "desk/services/notify/publish.py:notify_staff",
    # The portal's sign-in link and a colleague's invitation share one issuer.
    "desk/services/identity/magic_link.py:issue",
}


def _sources() -> Iterator[Path]:
    for folder in ("desk", "workers"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _is_enqueue(call: ast.Call) -> bool:
    """outbox.enqueue(...), or enqueue(...) imported from the outbox."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "enqueue"
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "enqueue"
        and isinstance(func.value, ast.Name)
        and func.value.id == "outbox"
    )


def _kind_argument(call: ast.Call) -> ast.expr:
    if len(call.args) > 1:
        return call.args[1]
    return next(keyword.value for keyword in call.keywords if keyword.arg == "kind")


def _evaluate(expression: ast.expr, namespace: dict[str, Any]) -> Any:
    return eval(compile(ast.Expression(expression), "<kind>", "eval"), namespace)


def _values(expression: ast.expr, namespace: dict[str, Any]) -> set[str] | None:
    """The kinds an expression can be, evaluated in its module; None when it is a variable."""
    try:
        return {str(_evaluate(expression, namespace))}
    except NameError:
        pass
    if isinstance(expression, ast.Subscript):  # TABLE[key]: any value of a module's table
        try:
            return {str(value) for value in _evaluate(expression.value, namespace).values()}
        except NameError:
            pass
    return None


def queued_kinds() -> tuple[set[str], set[str]]:
    """(kinds queued anywhere, "path:function" of the sites that queue a variable)."""
    kinds: set[str] = set()
    variable: set[str] = set()
    for path in _sources():
        relative = path.relative_to(PROJECT_ROOT)
        tree = ast.parse(path.read_text(), filename=str(path))
        calls = [
            (function.name, node)
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef)
            for node in ast.walk(function)
            if isinstance(node, ast.Call) and _is_enqueue(node)
        ]
        if not calls:
            continue
        module = importlib.import_module(".".join(relative.with_suffix("").parts))
        for function, call in calls:
            found = _values(_kind_argument(call), vars(module))
            if found is None:
                variable.add(f"{relative}:{function}")
            else:
                kinds |= found
    for reaction in CASE_EVENTS.values():
        kinds |= {str(kind) for kind in (reaction.employer_kind, reaction.staff_kind) if kind}
    kinds |= {str(effects.email) for effects in EFFECTS.values() if effects.email}
    # The SLA sweep queues its batch with outbox.enqueue_many, each kind from EMAIL_KINDS.
    kinds |= {str(kind) for kind in sla.EMAIL_KINDS.values()}
    # The portal's sign-in links (magic_link.issue, a variable site): its two kinds.
    kinds |= {str(kind) for kind in magic_link.ISSUED_KINDS}
    return kinds, variable


def test_every_queued_kind_is_a_kind_and_every_kind_is_queued() -> None:
    kinds, variable = queued_kinds()
    assert variable == VARIABLE_SITES, "a new site queues a kind held in a variable"
    assert kinds == {kind.value for kind in Kind}
    # The emails that follow case events (case_events.EFFECTS) count too.
    assert {"email.case_received", "email.staff_reply", "email.case_followed"} <= kinds
    assert set(sla.EMAIL_KINDS.values()) <= set(Kind)


def test_every_kind_has_a_catalogue_entry_and_a_builder() -> None:
    assert set(KINDS) == set(Kind)
    webhook_kinds = {kind for kind, entry in KINDS.items() if entry.audience is Audience.SYSTEM}
    assert webhook_kinds == {Kind.WEBHOOK_CASE_EVENT}
    assert set(BUILDERS) == set(Kind) - webhook_kinds
    assert not KINDS[Kind.WEBHOOK_CASE_EVENT].template


def test_every_template_of_the_catalogue_exists_and_none_is_left_over() -> None:
    templates = {entry.template for entry in KINDS.values() if entry.template}
    missing = [
        f"{template}{suffix}"
        for template in sorted(templates)
        for suffix in TWINS
        if not (EMAILS / f"{template}{suffix}").is_file()
    ]
    assert not missing
    # Partials start with an underscore; every other email template belongs to a kind.
    on_disk = {path.name.split(".")[0] for path in EMAILS.iterdir() if path.name[0] != "_"}
    assert on_disk == templates


def _payloads(
    case: Any, user: Any, message_id: int, reply_id: int, sign_in_id: int = 0
) -> dict[Kind, dict[str, Any]]:
    about = {"case_id": case.id, "user_id": user.id}
    return {
        Kind.PORTAL_SIGN_IN: {"sign_in_id": sign_in_id, "language": case.language},
        Kind.PORTAL_INVITATION: {"sign_in_id": sign_in_id, "language": case.language},
        Kind.STAFF_INVITATION: {
            "user_id": user.id,
            "stamp": "x",
            "issued_at": 0,
            "language": case.language,
        },
        Kind.CASE_RECEIVED: {"case_id": case.id},
        Kind.STAFF_REPLY: {"case_id": case.id, "message_id": message_id},
        Kind.CASE_TRANSFERRED: {
            "case_id": case.id,
            "team": "lahti-employer-services",
            "reason": "The workplace is in Lahti",
        },
        Kind.CASE_RESOLVED: {"case_id": case.id},
        Kind.CASE_WAITING: {"case_id": case.id},
        Kind.CASE_CLOSED: {"case_id": case.id},
        Kind.CASE_MERGED: {"case_id": case.id, "target_id": case.id},
        Kind.INFORMATION_REQUESTED: {"case_id": case.id, "message_id": message_id},
        Kind.NEW_CASE: about,
        Kind.CASE_ASSIGNED: {**about, "assignee_id": user.id},
        Kind.EMPLOYER_REPLY: {**about, "message_id": reply_id},
        Kind.CASE_TRANSFERRED_IN: {**about, "from_team": "paijat-hame-employer-services"},
        Kind.CASE_FOLLOWED: about,
        Kind.SLA_WARNING: {**about, "target": "first_response"},
        Kind.SLA_BREACH: {**about, "target": "resolution"},
        Kind.SLA_ESCALATION: {**about, "target": "resolution"},
        Kind.FOLLOW_UP_DUE: about,
        Kind.DAILY_DIGEST: {
            "user_id": user.id,
            "date": "2026-03-02",
            "notification_ids": [],
            "at_risk_ids": [case.id],
            "breached_ids": [],
        },
    }


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_builder_renders_in_each_language(app, app_session, staff, language: str) -> None:
    user = staff(f"{language}.adviser@example.fi", role="manager")
    user.ui_language = language
    app_session.commit()
    case = cases.submit_case(
        app_session, raw_submission(language=language, email=f"{language}@example.fi")
    )
    cases.reply(app_session, as_staff(user), case.id, "Which weeks suit you?")
    cases.employer_reply(app_session, case, "From week 3.")
    ids = app_session.scalars(
        select(CaseMessage.id).where(CaseMessage.case_id == case.id).order_by(CaseMessage.id)
    ).all()
    sign_in = magic_link.issue(app_session, case.email, language, utcnow())
    app_session.commit()
    payloads = _payloads(case, user, ids[-2], ids[-1], sign_in.id)
    assert set(payloads) == set(BUILDERS)

    with app.app_context():
        for kind, payload in payloads.items():
            spec = email_for(app_session, OutboxMessage(kind=kind, payload=payload), "http://t")
            assert (spec.language, spec.template) == (language, KINDS[kind].template), kind
            subject, text, html = render_email(spec)
            assert subject and text.strip() and html.strip(), kind
            if kind is not Kind.DAILY_DIGEST and KINDS[kind].audience is not Audience.PERSON:
                assert case.reference in subject and case.reference in text, kind
            if language != "en":  # translated: not the English source
                assert subject != render_email(replace(spec, language="en"))[0], kind
