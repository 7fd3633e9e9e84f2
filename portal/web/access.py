"""Who may use which route: one matrix for the whole app, enforced before every request (C01).

Every endpoint must appear here; an endpoint that is missing is refused for everyone, and a test
fails. Object-level checks (member A never sees member B's data) live in the services and views.

``TOKEN`` marks the JSON API's token-authenticated endpoints: the guard lets the request through to the
``api_route`` decorator, which accepts only ``Authorization: Bearer <token>`` and checks the token's scopes.
A browser session counts for nothing there, so cookie-only requests get 401 like anonymous ones.
"""

from __future__ import annotations

import logging

from flask import Response, current_app, flash, jsonify, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import Forbidden

log = logging.getLogger("portal.security")

ANONYMOUS = "anonymous"
ADMIN, AGENT, PUBLISHER, STAFF, MEMBER = "admin", "agent", "publisher", "datacite_staff", "member"
SIGNED_IN = frozenset({ADMIN, AGENT, PUBLISHER, STAFF, MEMBER})
EVERYONE = SIGNED_IN | {ANONYMOUS}
DESK = frozenset({AGENT, ADMIN})
ADMINS = frozenset({ADMIN})
PUBLISHERS = frozenset({PUBLISHER, ADMIN})
DATACITE = frozenset({STAFF})
MEMBERS = frozenset({MEMBER})
TOKEN_HOLDERS = frozenset({AGENT, ADMIN, STAFF})  # roles that may hold API tokens
API_TOKEN = "api_token"  # noqa: S105  (a pseudo-role no session ever has)
TOKEN = frozenset({API_TOKEN})

ACCESS: dict[str, frozenset[str]] = {
    "static": EVERYONE,
    # Public site and the integration documentation (each page's audience is checked in the view)
    "docs.index": EVERYONE,
    "docs.home": EVERYONE,
    "docs.page": EVERYONE,
    "docs.search": EVERYONE,
    "docs.asset": EVERYONE,
    "docs.suggest": EVERYONE,
    "docs.feedback": SIGNED_IN,
    "docs.rsp_badge": EVERYONE,
    # Signing in and out, and one's own account
    "auth.login": EVERYONE,
    "auth.logout": SIGNED_IN,
    "auth.two_factor": EVERYONE,
    "auth.recovery": EVERYONE,
    "auth.reauthenticate": SIGNED_IN,
    "auth.forgot": EVERYONE,
    "auth.reset": EVERYONE,
    "auth.invitation": EVERYONE,
    "auth.home": SIGNED_IN,
    "auth.account": SIGNED_IN,
    "auth.password": SIGNED_IN,
    "auth.two_factor_setup": SIGNED_IN,
    "auth.two_factor_qr": SIGNED_IN,
    "auth.recovery_codes": SIGNED_IN,
    "auth.tokens": TOKEN_HOLDERS,
    "auth.token_new": TOKEN_HOLDERS,
    "auth.token_revoke": TOKEN_HOLDERS,
    # Admins
    "admin.home": ADMINS,
    "admin.users": ADMINS,
    "admin.invite": ADMINS,
    "admin.user": ADMINS,
    "admin.deactivate": ADMINS,
    "admin.reactivate": ADMINS,
    "admin.resend_invitation": ADMINS,
    "admin.reset_two_factor": ADMINS,
    "admin.audit": ADMINS,
    "admin.system": ADMINS,
    "admin.groups_list": ADMINS,
    "admin.group_new": ADMINS,
    "admin.group_edit": ADMINS,
    "admin.designated_contact": ADMINS,
    "admin.service_profile": ADMINS,
    "admin.programme_board": ADMINS,
    "admin.programme_evaluate": ADMINS,
    "admin.programme_requirement": ADMINS,
    "admin.programme_document_upload": ADMINS,
    "admin.programme_document": ADMINS,
    "admin.programme_steps": ADMINS,
    "admin.programme_step": ADMINS,
    "admin.programme_pack": ADMINS,
    "admin.programme_renewals": ADMINS,
    "admin.programme_renewal": ADMINS,
    "admin.programme_badge": ADMINS,
    "admin.token_revoke": ADMINS,
    "admin.sla_calendars": ADMINS,
    "admin.sla_calendar_new": ADMINS,
    "admin.sla_calendar": ADMINS,
    "admin.sla_calendar_delete": ADMINS,
    "admin.sla_holiday_add": ADMINS,
    "admin.sla_holiday_delete": ADMINS,
    "admin.sla_holidays_import": ADMINS,
    "admin.sla_policies": ADMINS,
    "admin.sla_policy_new": ADMINS,
    "admin.sla_policy": ADMINS,
    "admin.sla_policy_delete": ADMINS,
    "admin.schedule": ADMINS,
    "admin.job_run_now": ADMINS,
    "admin.job_pause": ADMINS,
    "admin.job_resume": ADMINS,
    "admin.runs": ADMINS,
    "admin.run": ADMINS,
    "admin.findings": ADMINS,
    "admin.readiness_page": ADMINS,
    "admin.readiness_csv": ADMINS,
    "admin.readiness_repository": ADMINS,
    "admin.schema_plan": ADMINS,
    "admin.evidence_page": ADMINS,
    "admin.mail": ADMINS,
    "admin.mail_retry": ADMINS,
    "admin.mail_smtp_password": ADMINS,
    "admin.mailboxes_list": ADMINS,
    "admin.mailbox_new": ADMINS,
    "admin.mailbox_edit": ADMINS,
    # Support desk (agents and admins)
    "desk.home": DESK,
    "desk.staff_report": DESK,
    "desk.members": DESK,
    "desk.organisation_new": DESK,
    "desk.organisation": DESK,
    "desk.organisation_edit": DESK,
    "desk.contact_add": DESK,
    "desk.contact_delete": DESK,
    "desk.repository_new": DESK,
    "desk.repository": DESK,
    "desk.repository_health_page": DESK,
    "desk.repository_edit": DESK,
    "desk.tickets": DESK,
    "desk.tickets_bulk": DESK,
    "desk.ticket_new": DESK,
    "desk.ticket": DESK,
    "desk.held_accept": DESK,
    "desk.ticket_reply": DESK,
    "desk.ticket_status": DESK,
    "desk.ticket_assign": DESK,
    "desk.ticket_take": DESK,
    "desk.ticket_fields": DESK,
    "desk.ticket_link": DESK,
    "desk.ticket_unlink": DESK,
    "desk.ticket_merge": DESK,
    "desk.ticket_escalate": DESK,
    "desk.ticket_escalation_answer": DESK,
    "desk.ticket_presence": DESK,
    "desk.attachment": DESK,
    "desk.canned_list": DESK,
    "desk.canned_new": DESK,
    "desk.canned_edit": DESK,
    "desk.canned_render": DESK,
    "desk.credential_set": DESK,
    "desk.credential_clear": DESK,
    "desk.credential_verify": DESK,
    "desk.handover_new": DESK,
    "desk.doi_lookup": DESK,
    "desk.recent_dois": DESK,
    "desk.test_registration_run": DESK,
    "desk.transcript": DESK,
    "desk.transcript_attach": DESK,
    "desk.datacite_call_log": DESK,
    "desk.sla": DESK,  # read-only view of the SLA policies and calendars
    "desk.reports": DESK,
    "desk.reports_csv": DESK,
    # Member users
    "member.home": MEMBERS,
    "member.organisation": MEMBERS,
    "member.tickets": MEMBERS,
    "member.ticket_new": MEMBERS,
    "member.ticket": MEMBERS,
    "member.ticket_reply": MEMBERS,
    "member.ticket_close": MEMBERS,
    "member.ticket_rate": MEMBERS,
    "member.attachment": MEMBERS,
    "member.credential": MEMBERS,
    # Secure credential hand-over: the one-time link is the authorisation
    "handover.form": EVERYONE,
    # DataCite staff
    "staff.home": DATACITE,
    "staff.request_new": DATACITE,
    "staff.request_page": DATACITE,
    "staff.request_reply": DATACITE,
    "staff.attachment": DATACITE,
    "staff.profile": DATACITE | ADMINS,
    "staff.profile_markdown": DATACITE | ADMINS,
    # Publishers of the documentation
    "publish.home": PUBLISHERS,
    "publish.new": PUBLISHERS,
    "publish.edit": PUBLISHERS,
    "publish.preview": PUBLISHERS,
    "publish.revisions": PUBLISHERS,
    "publish.revision": PUBLISHERS,
    "publish.restore": PUBLISHERS,
    "publish.rename": PUBLISHERS,
    "publish.review": PUBLISHERS,
    # JSON API (token-authenticated routes declare their own scopes)
    "api.health": EVERYONE,
    "api.openapi": EVERYONE,
    "api.me": TOKEN,
    "api.tickets_list": TOKEN,
    "api.tickets_create": TOKEN,
    "api.tickets_get": TOKEN,
    "api.tickets_reply": TOKEN,
    "api.tickets_status": TOKEN,
    "api.staff_requests_create": TOKEN,
    "api.staff_requests_get": TOKEN,
    "api.service_profile": TOKEN,
    "api.echo": TOKEN,
}

# Pages a person who must enrol in two-factor sign-in may still reach.
ENROLMENT_ENDPOINTS = frozenset(
    {"static", "auth.two_factor_setup", "auth.two_factor_qr", "auth.logout", "auth.recovery_codes", "docs.index"}
)


def role_of(user: object) -> str:
    return getattr(user, "role", ANONYMOUS) if getattr(user, "is_authenticated", False) else ANONYMOUS


def is_token_endpoint(endpoint: str | None) -> bool:
    """Whether the matrix marks the endpoint as token-authenticated."""
    return endpoint is not None and ACCESS.get(endpoint) == TOKEN


def _api_unauthorized() -> tuple[Response, int, dict[str, str]]:
    return jsonify(error={"status": 401, "title": "Unauthorized",
                          "detail": "Send an API token in the Authorization header."}), 401, \
        {"WWW-Authenticate": 'Bearer realm="api"'}


def _token_guard(endpoint: str) -> object:
    """Token endpoints ignore the session; the api_route decorator authenticates. Refuse any other view."""
    operation = getattr(current_app.view_functions.get(endpoint), "api_operation", None)
    if operation is not None and not operation.public:
        return None
    log.error("endpoint %s is marked TOKEN but is not a token-authenticated api_route; refused", endpoint)
    return _api_unauthorized()


def guard() -> object:
    """Refuse the request unless the matrix lets the current role use this endpoint."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: the 404/405 handlers answer
        return None
    allowed = ACCESS.get(endpoint)
    if allowed == TOKEN:
        return _token_guard(endpoint)
    role = role_of(current_user)
    if allowed is not None and role in allowed:
        return None
    if allowed is None:
        log.error("endpoint %s is missing from the access matrix; refused", endpoint)
    if role == ANONYMOUS:
        if request.path.startswith("/api/"):
            return _api_unauthorized()
        flash("Please sign in to see that page.", "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    raise Forbidden("Your role does not give access to this page.")


def enforce_two_factor() -> object:
    """Admins and agents use a second factor when it is required (C08); API tokens are not sessions."""
    if is_token_endpoint(request.endpoint):
        return None
    if not current_app.config["REQUIRE_2FA"] or not current_user.is_authenticated:
        return None
    if not current_user.needs_two_factor or current_user.totp_enabled:
        return None
    if request.endpoint in ENROLMENT_ENDPOINTS:
        return None
    flash("Set up two-factor sign-in to continue: your role requires it.", "info")
    return redirect(url_for("auth.two_factor_setup"))
