from sqlalchemy.orm import Session

from desk.config import PROJECT_ROOT
from desk.services import users
from tests.conftest import PASSWORD


def test_authenticate(session: Session, make_user) -> None:
    user = make_user("Aino@Example.fi")
    assert users.authenticate(session, "aino@example.fi", PASSWORD).id == user.id
    assert users.authenticate(session, "aino@example.fi", "wrong") is None
    assert users.authenticate(session, "nobody@example.fi", PASSWORD) is None
    assert user.password_hash != PASSWORD


def test_inactive_users_cannot_sign_in(session: Session, make_user) -> None:
    user = make_user()
    user.active = False
    session.commit()
    assert users.authenticate(session, user.email, PASSWORD) is None


def test_demo_users_load_idempotently(session: Session) -> None:
    path = PROJECT_ROOT / "config" / "demo_users.toml"
    first = users.load_demo_users(session, path)
    second = users.load_demo_users(session, path)
    assert first == second
    roles = {row[2] for row in first}
    assert {
        "adviser, lahti",
        "adviser, paijat-hame",
        "manager, lahti",
        "manager, paijat-hame",
        "admin, lahti",
    } <= roles
