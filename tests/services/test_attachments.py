"""Attachments and one case per submission, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from desk.db import is_postgresql, make_session_factory
from desk.domain.attachments import AttachmentRefused, Limits, Upload
from desk.domain.intake import InvalidSubmission, RawWorkplace
from desk.models import Attachment, Case, CaseMessage, OutboxMessage
from desk.services import attachments, cases
from desk.services.access import Actor, Channel
from desk.services.attachment_storage import FileSystemStorage, storage_from_config
from desk.services.errors import NotFound
from tests.conftest import SESSION_SETTINGS, raw_submission
from tests.support import sample_files as f
from tests.support.actors import as_staff


@pytest.fixture
def storage(tmp_path: Path) -> FileSystemStorage:
    return FileSystemStorage(tmp_path / "attachments")


def stored_files(storage: FileSystemStorage) -> list[Path]:
    return [p for p in storage.root.rglob("*") if p.is_file()]


def test_file_system_storage_round_trip(storage: FileSystemStorage) -> None:
    key = storage.put(io.BytesIO(f.PDF))
    with storage.open(key) as stream:
        assert stream.read() == f.PDF
    storage.delete(key)
    with pytest.raises(KeyError):
        storage.open(key)
    storage.delete(key)  # twice is harmless


def test_storage_refuses_keys_it_did_not_make(storage: FileSystemStorage) -> None:
    for key in ("../../etc/passwd", "/etc/passwd", "ab/cd/../../x"):
        with pytest.raises(KeyError):
            storage.open(key)


def test_storage_is_chosen_by_configuration(tmp_path: Path) -> None:
    chosen = storage_from_config({"ATTACHMENTS_DIR": str(tmp_path)})
    assert isinstance(chosen, FileSystemStorage) and chosen.root == tmp_path
    with pytest.raises(ValueError):
        storage_from_config({"ATTACHMENTS_STORAGE": "s3", "ATTACHMENTS_DIR": "x"})


def test_request_with_attachments_stores_them_with_their_facts(
    session: Session, storage: FileSystemStorage
) -> None:
    case = cases.submit_case(
        session,
        raw_submission(),
        uploads=[Upload("Työpaikka.png", f.PNG), Upload("report.exe", f.PDF)],
        storage=storage,
    )
    rows = session.scalars(select(Attachment).where(Attachment.case_id == case.id)).all()
    assert [(r.name, r.content_type, r.size) for r in rows] == [
        ("Työpaikka.png", "image/png", len(f.PNG)),
        ("report.exe.pdf", "application/pdf", len(f.PDF)),
    ]
    assert rows[1].sha256 == hashlib.sha256(f.PDF).hexdigest()
    assert {r.uploaded_by_kind for r in rows} == {"employer"} and rows[0].message_id is None
    with attachments.open_attachment(storage, rows[0]) as stream:
        assert stream.read() == f.PNG


def test_a_refused_file_stores_nothing_and_names_every_problem(
    session: Session, storage: FileSystemStorage
) -> None:
    with pytest.raises(InvalidSubmission) as info:
        cases.submit_case(
            session,
            raw_submission(email=""),
            uploads=[Upload("invoice.pdf", f.EXE)],
            storage=storage,
        )
    assert info.value.errors == {"email": "required", "attachments": "type"}
    with pytest.raises(InvalidSubmission) as info:
        cases.submit_case(
            session,
            raw_submission(),
            uploads=[Upload("a.pdf", f.PDF)] * 3,
            storage=storage,
            limits=Limits(max_count=2),
        )
    assert info.value.errors == {"attachments": "too_many"}
    assert session.scalar(select(func.count()).select_from(Case)) == 0
    assert stored_files(storage) == []


def test_the_same_submission_key_makes_one_case_and_one_email(
    session: Session, storage: FileSystemStorage
) -> None:
    key = "k" * 32
    first = cases.submit_case(
        session,
        raw_submission(),
        submission_key=key,
        uploads=[Upload("a.pdf", f.PDF)],
        storage=storage,
    )
    again = cases.submit_case(
        session,
        raw_submission(),
        submission_key=key,
        uploads=[Upload("a.pdf", f.PDF)],
        storage=storage,
    )
    assert again.id == first.id
    assert session.scalar(select(func.count()).select_from(Case)) == 1
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert len(stored_files(storage)) == 1
    other = cases.submit_case(session, raw_submission(), submission_key="z" * 32)
    assert other.id != first.id
    # A key replayed by another sender never leads to the first case (nor its private link).
    stranger = cases.submit_case(session, raw_submission(email="x@example.fi"), submission_key=key)
    assert stranger.id not in (first.id, other.id) and stranger.submission_key is None


def test_several_workplaces_are_kept_in_order_and_the_first_routes(session: Session) -> None:
    case = cases.submit_case(
        session,
        raw_submission(municipality="398", workplace_address="Aleksanterinkatu 1"),
        workplaces=[
            RawWorkplace("", ""),
            RawWorkplace("560", "Tehdas"),
            RawWorkplace("Kouvola", ""),
        ],
    )
    assert case.municipality_code == "398"
    assert [
        (w.position, w.municipality_code, w.municipality_text, w.address) for w in case.workplaces
    ] == [
        (1, "398", "", "Aleksanterinkatu 1"),
        (2, "560", "", "Tehdas"),
        (3, None, "Kouvola", ""),
    ]
    plain = cases.submit_case(session, raw_submission())
    assert plain.workplaces == []


def test_a_workplace_address_without_a_municipality_is_an_error(session: Session) -> None:
    with pytest.raises(InvalidSubmission) as info:
        cases.submit_case(session, raw_submission(), workplaces=[RawWorkplace("", "Tehdas")])
    assert info.value.errors == {"workplace_2_municipality": "required"}


def test_employer_reply_with_attachments_and_download_rules(
    session: Session, storage: FileSystemStorage, make_user
) -> None:
    case = cases.submit_case(session, raw_submission())
    employer = Actor.employer(Channel.WEB)
    message = cases.employer_reply(
        session,
        case,
        "Liitteenä työsopimus.",
        employer,
        uploads=[Upload("sopimus.docx", f.DOCX)],
        storage=storage,
    )
    [row] = session.scalars(select(Attachment).where(Attachment.message_id == message.id)).all()
    assert row.content_type.endswith("wordprocessingml.document")
    assert attachments.for_download(session, employer, case, row.id) == row
    adviser = make_user()  # in the case's team
    assert attachments.for_download(session, as_staff(adviser), case, row.id) == row
    outsider = make_user("lahti@example.fi", teams=("lahti-employer-services",), authority="lahti")
    with pytest.raises(NotFound):
        attachments.for_download(session, as_staff(outsider), case, row.id)
    other = cases.submit_case(session, raw_submission())
    with pytest.raises(NotFound):  # another case's attachment id
        attachments.for_download(session, employer, other, row.id)


def test_employer_reply_with_a_refused_file_stores_nothing(
    session: Session, storage: FileSystemStorage
) -> None:
    case = cases.submit_case(session, raw_submission())
    with pytest.raises(AttachmentRefused) as info:
        cases.employer_reply(session, case, "", uploads=[Upload("x.pdf", f.ELF)], storage=storage)
    assert info.value.errors == {"body": "required", "attachments": "type"}
    assert session.scalar(select(func.count()).select_from(CaseMessage)) == 0
    assert stored_files(storage) == []


# PostgreSQL only: two connections racing on the unique submission key.
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
@pytest.mark.committed
def test_two_racing_posts_of_one_form_make_one_case(
    session: Session, engine: Engine, storage: FileSystemStorage
) -> None:
    assert is_postgresql(session)
    factory = make_session_factory(engine, SESSION_SETTINGS)
    barrier = threading.Barrier(2)
    made: list[int] = []
    failures: list[BaseException] = []

    def post() -> None:
        with factory() as own:
            barrier.wait(timeout=10)
            try:
                case = cases.submit_case(
                    own,
                    raw_submission(),
                    submission_key="race-" + "r" * 30,
                    uploads=[Upload("a.pdf", f.PDF)],
                    storage=storage,
                )
                made.append(case.id)
            except Exception as exc:  # reported below
                failures.append(exc)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert len(made) == 2 and made[0] == made[1]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Case)) == 1
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert session.scalar(select(func.count()).select_from(Attachment)) == 1
    assert len(stored_files(storage)) == 1


def test_merging_moves_the_files_with_their_messages(
    session: Session, storage: FileSystemStorage, make_user
) -> None:
    from desk.services import merge

    adviser = make_user()
    target = cases.submit_case(session, raw_submission())
    duplicate = cases.submit_case(
        session,
        raw_submission(email="someone.else@example.fi"),
        uploads=[Upload("a.pdf", f.PDF)],
        storage=storage,
    )
    merge.merge(session, as_staff(adviser), duplicate.id, target.reference)
    session.expire_all()
    [row] = session.scalars(select(Attachment)).all()
    assert row.case_id == target.id and row.message is not None
    # Another contact's request became an internal message: its file is staff-only too.
    assert row.message.visibility == "internal"
    employer = Actor.employer(Channel.WEB)
    with pytest.raises(NotFound):
        attachments.for_download(session, employer, session.get(Case, target.id), row.id)
    assert attachments.for_download(
        session, as_staff(adviser), session.get(Case, target.id), row.id
    )
