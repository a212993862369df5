"""The follow-up reminder task: thin over the service, idempotent when beat runs it twice."""

from datetime import timedelta

from sqlalchemy import select

from desk.models import Case, OutboxMessage
from desk.services import cases
from tests.conftest import raw_submission
from workers.case_work_tasks import remind_follow_ups


def test_the_task_reminds_once_however_often_it_runs(app, app_session, staff) -> None:
    adviser = staff("a@example.fi")
    case = cases.submit_case(app_session, raw_submission())
    case.assignee_id = adviser.id
    case.follow_up_at = case.created_at - timedelta(minutes=5)
    app_session.commit()
    with app.app_context():
        assert remind_follow_ups.run() == 1
        assert remind_follow_ups.run() == 0
    app_session.expire_all()
    assert app_session.get(Case, case.id).follow_up_reminded_at is not None
    kinds = app_session.scalars(select(OutboxMessage.kind)).all()
    assert kinds.count("notify.follow_up_due") == 1
