"""The authorization matrix: every route of the desk with who may use it, checked by request.

A new route fails `test_every_route_has_its_row` until it is given its row here, so nobody
adds a page or an action without saying who it is for. The other tests knock on every door
as the wrong person (a visitor, an adviser at an administrator's door, an API call without a
token) and expect to be sent to sign in, refused (403) or told the thing does not exist
(404), never let in and never a 500. What a permitted user may do on a given case is the
access module's (tests/services/test_access*.py) and each feature's own tests.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import login

# Who a route is for. public: anyone; employer_link: whoever holds the case's private link;
# staff: any signed-in staff member (the service then checks the case, the team...);
# team_reports: staff with teams, managers, admins; reports: managers and admins;
# canned_keepers: admins and the managers of the team's authority; admin: administrators;
# api_public: the public API (rate-limited); api_token: a staff API token; api_reports: a token
# with the reports scope; portal: a signed-in employer contact, or a browser holding a grant
# from a case's private link.
MATRIX: dict[tuple[str, str], str] = {
    ("public.index", "GET"): "public",
    ("public.request_form", "GET"): "public",
    ("public.submit_request", "POST"): "public",
    ("public.processing_times", "GET"): "public",
    ("health.healthz", "GET"): "public",
    ("health.readyz", "GET"): "public",
    ("auth.login", "GET"): "public",
    ("auth.login", "POST"): "public",
    ("auth.logout", "POST"): "public",
    ("static", "GET"): "public",
    ("api_docs.reference", "GET"): "public",
    ("api-docs.openapi_json", "GET"): "public",
    ("api_docs.problem_type", "GET"): "public",
    ("employer.case_page", "GET"): "employer_link",
    ("employer_email_preferences.page", "GET"): "employer_link",
    # Signed links sent by email (the token is the proof): email choices, the survey.
    ("email_choices.page", "GET"): "employer_link",
    ("email_choices.save", "POST"): "employer_link",
    ("survey.page", "GET"): "employer_link",
    ("survey.answer", "POST"): "employer_link",
    ("public_pages.privacy", "GET"): "public",
    ("public_pages.accessibility", "GET"): "public",
    ("public_pages.feedback_form", "GET"): "public",
    ("public_pages.submit_feedback", "POST"): "public",
    ("public_api.submit_case", "POST"): "api_public",
    ("public_api.get_case", "GET"): "api_public",
    ("public_api.post_case_message", "POST"): "api_public",
    ("public_api.list_processing_times", "GET"): "api_public",
    ("public_api.explain_routing", "GET"): "api_public",
    ("staff_api.get_case", "GET"): "api_token",
    ("staff_api.assign", "POST"): "api_token",
    ("staff_api.claim", "POST"): "api_token",
    ("staff_api.note", "POST"): "api_token",
    ("staff_api.ask_employer", "POST"): "api_token",
    ("staff_api.reply", "POST"): "api_token",
    ("staff_api.change_status", "POST"): "api_token",
    ("staff_api.transfer", "POST"): "api_token",
    ("staff_api.token_info", "GET"): "api_token",
    ("staff_api.list_teams", "GET"): "api_token",
    ("staff_api.list_team_cases", "GET"): "api_token",
    ("reports_api.get_sla_report", "GET"): "api_reports",
    ("staff.queue", "GET"): "staff",
    ("staff.case_page", "GET"): "staff",
    ("staff_attachments.download", "GET"): "staff",
    ("staff.act", "POST"): "staff",
    ("case_actions.ask", "POST"): "staff",
    ("case_actions.assign", "POST"): "staff",
    ("case_actions.details", "POST"): "staff",
    ("case_actions.follow_up", "POST"): "staff",
    ("case_actions.reopen", "POST"): "staff",
    ("case_actions.resolve", "POST"): "staff",
    ("routing_staff.availability", "POST"): "staff",
    ("routing_staff.add_collaborator", "POST"): "staff",
    ("routing_staff.remove_collaborator", "POST"): "staff",
    ("routing_staff.transfer", "POST"): "staff",
    ("case_relations.add_link", "POST"): "staff",
    ("case_relations.remove_link", "POST"): "staff",
    ("case_relations.merge_case", "POST"): "staff",
    ("canned.teams", "GET"): "staff",
    ("canned.insert", "GET"): "staff",
    ("canned.index", "GET"): "canned_keepers",
    ("canned.new", "GET"): "canned_keepers",
    ("canned.new", "POST"): "canned_keepers",
    ("canned.edit", "GET"): "canned_keepers",
    ("canned.edit", "POST"): "canned_keepers",
    ("canned.set_active", "POST"): "canned_keepers",
    ("employers.employer_page", "GET"): "staff",
    ("search.search_page", "GET"): "staff",
    ("notifications.inbox_page", "GET"): "staff",
    ("notifications.mark_read", "POST"): "staff",
    ("notifications.settings_page", "GET"): "staff",
    ("notifications.save_settings", "POST"): "staff",
    ("reports.dashboard", "GET"): "team_reports",
    ("reports.steering", "GET"): "reports",
    ("reports.export_csv", "GET"): "reports",
    ("reports.export_xlsx", "GET"): "reports",
    ("admin.caught_mail", "GET"): "admin",
    ("admin.caught_mail_message", "GET"): "admin",
    ("api_tokens_admin.tokens_page", "GET"): "admin",
    ("api_tokens_admin.create_token", "POST"): "admin",
    ("api_tokens_admin.revoke_token", "POST"): "admin",
    ("notification_admin.deliveries", "GET"): "admin",
    ("notification_admin.act_on_dead_letter", "POST"): "admin",
    ("notification_admin.dead_letters", "GET"): "admin",
    ("notification_admin.webhooks_page", "GET"): "admin",
    ("notification_admin.create_webhook", "POST"): "admin",
    ("notification_admin.act_on_webhook", "POST"): "admin",
    ("routing_admin.rules_page", "GET"): "admin",
    ("routing_admin.availability", "GET"): "admin",
    ("routing_admin.set_availability", "POST"): "admin",
    ("routing_admin.discard", "POST"): "admin",
    ("routing_admin.dry_run", "GET"): "admin",
    ("routing_admin.key_accounts_page", "GET"): "admin",
    ("routing_admin.name_key_account", "POST"): "admin",
    ("routing_admin.remove_key_account", "POST"): "admin",
    ("routing_admin.publish", "POST"): "admin",
    ("routing_admin.edit_rule", "GET"): "admin",
    ("routing_admin.save_rule", "POST"): "admin",
    ("routing_admin.rule_action", "POST"): "admin",
    ("routing_admin.new_rule", "GET"): "admin",
    ("routing_admin.teams", "GET"): "admin",
    ("routing_admin.save_team", "POST"): "admin",
    ("routing_admin.versions", "GET"): "admin",
    ("routing_admin.version", "GET"): "admin",
    ("routing_admin.restore", "POST"): "admin",
    ("sla.settings", "GET"): "admin",
    ("sla.add_closure", "POST"): "admin",
    ("sla.remove_closure", "POST"): "admin",
    ("sla.policy", "GET"): "admin",
    ("sla.change_policy", "POST"): "admin",
    # operations (issue 15): Prometheus, for a token or the machine itself
    ("metrics.metrics", "GET"): "metrics",
    ("staff_admin.users_page", "GET"): "admin",
    ("staff_admin.create_user", "POST"): "admin",
    ("staff_admin.user_page", "GET"): "admin",
    ("staff_admin.save_user", "POST"): "admin",
    ("staff_admin.set_active", "POST"): "admin",
    ("staff_admin.teams_page", "GET"): "admin",
    ("staff_admin.create_team", "POST"): "admin",
    ("staff_admin.save_team", "POST"): "admin",
    # Security (issue 14): the second step of sign-in. Reached between the password and the
    # staff session (a pending sign-in), or signed in to turn it on; else back to sign in.
    ("auth.second_factor", "GET"): "public",
    ("auth.second_factor", "POST"): "public",
    ("auth.second_factor_setup", "GET"): "public",
    ("auth.second_factor_setup", "POST"): "public",
    # The employer portal (issue 12). Sign-in is public; "portal" is a signed-in contact or
    # a browser that opened the case by its private link (sent to sign in otherwise).
    ("portal.sign_in", "GET"): "public",
    ("portal.sign_in_post", "POST"): "public",
    ("portal.confirm", "GET"): "public",
    ("portal.confirm_post", "POST"): "public",
    ("portal.sign_out", "POST"): "public",
    ("portal_cases.my_cases", "GET"): "portal",
    ("portal_cases.case_page", "GET"): "portal",
    ("portal_cases.post_message", "POST"): "portal",
    ("portal_cases.cancel", "POST"): "portal",
    ("portal_cases.download", "GET"): "portal",
    ("portal_organisation.page", "GET"): "portal",
    ("portal_organisation.invite", "POST"): "portal",
    ("portal_organisation.remove", "POST"): "portal",
    # The email channel (issue 13): the inbound log, an email's original, held emails.
    ("inbound.log_page", "GET"): "admin",
    ("inbound.original", "GET"): "staff",
    ("inbound.act_on_held", "POST"): "staff",
    # Access log and data-subject rights (issue 14): managers read the log, admins the rest.
    ("audit_log.page", "GET"): "reports",
    ("data_subjects.page", "GET"): "admin",
    ("data_subjects.look_up", "POST"): "admin",
    ("data_subjects.export", "POST"): "admin",
    ("data_subjects.erase", "POST"): "admin",
    # Staff invitations (issue 15): the set-password page of the emailed link (the token).
    ("auth.set_password", "GET"): "public",
    ("auth.set_password", "POST"): "public",
    ("staff_admin.invite_user", "POST"): "admin",
}

SIGNED_IN = {"staff", "team_reports", "reports", "canned_keepers", "admin"}
API_TOKEN = {"api_token", "api_reports"}

# A value for each URL variable: real names where the guard may look (a team), else junk.
SAMPLES = {
    "reference": "TP-2026-999999",
    "token": "x" * 43,
    "slug": "paijat-hame-employer-services",
    "team": "paijat-hame-employer-services",
    "action": "claim",
    "need": "recruitment",
    "business_id": "0737546-2",
    "name": "mine",
    "filename": "desk.css",
    "rule_id": "no-such-rule",
}


def _routes(app: Any) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = rule.rule
            for converter, variable in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", path):
                value = "1" if converter == "int" else SAMPLES.get(variable, "x")
                path = re.sub(rf"<[^>]*\b{variable}>", value, path)
            routes.append((rule.endpoint, method, path))
    return sorted(routes)


def _send(client: Any, method: str, path: str) -> Any:
    return client.open(path, method=method, data={}, follow_redirects=False)


def test_every_route_has_its_row(app) -> None:
    routes = {(endpoint, method) for endpoint, method, _ in _routes(app)}
    assert routes - MATRIX.keys() == set(), "a route without its row in MATRIX"
    assert MATRIX.keys() - routes == set(), "a row in MATRIX for a route that is gone"


def test_a_visitor_is_sent_to_sign_in_or_refused(app, client) -> None:
    for endpoint, method, path in _routes(app):
        audience = MATRIX[(endpoint, method)]
        response = _send(client, method, path)
        where = f"{method} {path} ({endpoint})"
        if endpoint != "health.readyz":  # its 503 is its answer: a dependency is down
            assert response.status_code < 500, where
        if audience in SIGNED_IN:
            assert response.status_code == 302, where
            assert "/login" in response.headers["Location"], where
        elif audience in API_TOKEN:
            assert response.status_code == 401, where
        elif audience == "employer_link":
            assert response.status_code == 404, where  # an unknown link reveals nothing
        elif audience == "portal":
            # Sent to the portal's sign-in (a file: not found, nothing revealed).
            assert response.status_code in (303, 404), where
            if response.status_code == 303:
                assert response.headers["Location"].startswith("/portal/sign-in"), where


@pytest.mark.parametrize(
    ("who", "refused"),
    [
        ("adviser", {"reports", "canned_keepers", "admin"}),
        ("manager", {"admin"}),
    ],
)
def test_staff_get_403_at_doors_not_theirs(app, client, staff, who, refused) -> None:
    staff(f"{who}@example.fi", role=who)
    login(client, f"{who}@example.fi")
    for endpoint, method, path in _routes(app):
        audience = MATRIX[(endpoint, method)]
        if audience not in refused:
            continue
        response = _send(client, method, path)
        assert response.status_code == 403, f"{who}: {method} {path} ({endpoint})"


def test_an_adviser_without_a_team_reads_no_dashboard(client, staff) -> None:
    staff("loner@example.fi", teams=())
    login(client, "loner@example.fi")
    assert client.get("/reports").status_code == 403
    assert client.get("/staff/").status_code == 200  # an empty queue, not an error
