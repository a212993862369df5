"""The API's names and sentences in the request's language; the field names do not change."""

from desk.services import cases
from tests.conftest import raw_submission


def test_routing_names_follow_accept_language_and_the_reason_the_employer(client) -> None:
    response = client.get(
        "/api/v1/routing?municipality=Lahti&need=recruitment&language=fi",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["team_name"] == "Lahti employer services"
    assert body["authority_name"] == "Lahti Employment Services"
    assert "Lahden työnantajapalvelut" in body["reason"]  # the employer's language


def test_routing_names_without_accept_language_follow_the_language_parameter(client) -> None:
    body = client.get("/api/v1/routing?municipality=Lahti&need=recruitment&language=sv").get_json()
    assert body["team_name"] == "Lahtis arbetsgivartjänster"


def test_the_staff_case_reason_is_in_the_request_language(
    client, app_session, staff, token_for
) -> None:
    adviser = staff("ph@example.fi")
    case = cases.submit_case(app_session, raw_submission(language="fi", municipality="Orimattila"))
    headers = {**token_for(adviser), "Accept-Language": "en"}
    body = client.get(f"/api/v1/staff/cases/{case.reference}", headers=headers).get_json()
    assert body["routing_reason"] == (
        "Routed to Päijät-Häme Employment Services, Päijät-Häme employer services, because the "
        "workplace is in Orimattila (560)."
    )
    assert body["routing_rule"] == "paijat-hame"
