"""Submissions through the API: the form's rules, and Idempotency-Key makes retries safe, also
when two requests with one key race. On SQLite and PostgreSQL."""

import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.db import make_session_factory
from desk.domain.intake import InvalidSubmission
from desk.models import Case, IdempotencyKey, OutboxMessage
from desk.services import api_intake, cases
from tests.conftest import raw_submission


def count(session: Session, model) -> int:
    return int(session.scalar(select(func.count()).select_from(model)))


def test_without_a_key_every_submission_is_a_case(session: Session) -> None:
    first = api_intake.submit(session, raw_submission())
    second = api_intake.submit(session, raw_submission())
    assert not first.replayed and not second.replayed
    assert first.case.id != second.case.id
    assert count(session, IdempotencyKey) == 0


def test_the_same_key_and_request_return_the_same_case(session: Session) -> None:
    first = api_intake.submit(session, raw_submission(), "retry-1")
    again = api_intake.submit(session, raw_submission(), "retry-1")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.case.id == first.case.id
    assert count(session, Case) == 1
    assert count(session, OutboxMessage) == 1  # one confirmation email, not two
    stored = session.scalars(select(IdempotencyKey)).one()
    assert (stored.key, stored.case_id) == (api_intake.scoped_key("", "retry-1"), first.case.id)
    assert stored.request_hash == api_intake.fingerprint(raw_submission())


def test_the_same_key_with_another_request_is_refused(session: Session) -> None:
    first = api_intake.submit(session, raw_submission(), "k")
    with pytest.raises(api_intake.IdempotencyKeyReused) as caught:
        api_intake.submit(session, raw_submission(description="Something else"), "k")
    assert caught.value.case.id == first.case.id
    assert count(session, Case) == 1


def test_keys_are_scoped_per_client(session: Session) -> None:
    first = api_intake.submit(session, raw_submission(), "k", client="address:10.0.0.1")
    other = api_intake.submit(session, raw_submission(), "k", client="address:10.0.0.2")
    assert not other.replayed and other.case.id != first.case.id
    # Another client's different request is a new case, not a refusal naming the first one.
    third = api_intake.submit(session, raw_submission(description="Else"), "k", client="token:7")
    assert not third.replayed
    again = api_intake.submit(session, raw_submission(), "k", client="address:10.0.0.1")
    assert again.replayed and again.case.id == first.case.id
    keys = session.scalars(select(IdempotencyKey.key)).all()
    assert "k" not in keys and all(len(key) == 64 for key in keys)


def test_an_invalid_request_stores_neither_case_nor_key(session: Session) -> None:
    with pytest.raises(InvalidSubmission) as caught:
        api_intake.submit(session, raw_submission(business_id="0112038-8", email="x"), "k")
    assert caught.value.errors == {"business_id": "checksum", "email": "invalid"}
    assert count(session, Case) == 0 and count(session, IdempotencyKey) == 0
    # The key is still free for the corrected request.
    assert not api_intake.submit(session, raw_submission(), "k").replayed


def test_submission_errors_use_the_forms_codes_and_store_nothing(session: Session) -> None:
    errors = api_intake.submission_errors(session, raw_submission(need="nope", description=" "))
    assert errors == {"need": "unknown", "description": "required"}
    assert api_intake.submission_errors(session, raw_submission()) == {}
    assert count(session, Case) == 0


def test_the_fingerprint_is_the_requests_fields() -> None:
    raw = raw_submission()
    assert api_intake.fingerprint(raw) == api_intake.fingerprint(replace(raw))
    assert api_intake.fingerprint(raw) != api_intake.fingerprint(replace(raw, phone=""))


@pytest.mark.committed  # other connections, in threads, see its rows
def test_a_request_racing_a_key_in_flight_gets_the_winners_case(session: Session) -> None:
    """The other request's key row is written but not committed while this one runs.

    On PostgreSQL this request does its work, blocks on the unique key, fails when the winner
    commits, rolls back and answers with the winner's case; on SQLite it waits for the
    winner's write lock and then finds the key. Either way there is one case.
    """
    raw = raw_submission()
    winner = cases.submit_case(session, raw)
    session.add(
        IdempotencyKey(
            key=api_intake.scoped_key("", "race"),
            request_hash=api_intake.fingerprint(raw),
            case_id=winner.id,
        )
    )
    session.flush()  # written, locked, not committed

    factory = make_session_factory(session.get_bind(), session.info)
    result: dict[str, object] = {}

    def loser() -> None:
        with factory() as other:
            try:
                result["submitted"] = api_intake.submit(other, raw, "race")
            except Exception as exc:  # reported below
                result["error"] = exc

    thread = threading.Thread(target=loser)
    thread.start()
    time.sleep(0.5)
    session.commit()
    thread.join(timeout=30)
    assert "error" not in result, result.get("error")
    submitted = result["submitted"]
    assert isinstance(submitted, api_intake.Submitted)
    assert submitted.replayed and submitted.case.id == winner.id
    session.expire_all()
    assert count(session, Case) == 1


@pytest.mark.committed  # other connections, in threads, see its rows
def test_concurrent_retries_with_one_key_create_one_case(session: Session) -> None:
    factory = make_session_factory(session.get_bind(), session.info)
    barrier = threading.Barrier(4)
    references: list[str] = []
    errors: list[Exception] = []

    def submit() -> None:
        with factory() as own:
            barrier.wait()
            try:
                references.append(api_intake.submit(own, raw_submission(), "same").case.reference)
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(references) == 4 and len(set(references)) == 1
    assert count(session, Case) == 1
