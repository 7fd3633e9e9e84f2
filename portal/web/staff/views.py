"""DataCite staff: their troubleshooting requests (and only theirs), and the service profile."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import Conflict, ValidationFailed
from portal.models import Attachment, Message, Status, User, Visibility
from portal.services import members
from portal.services.staff import profile as profile_service
from portal.services.staff import requests as staff_requests
from portal.services.tickets import history, messages, queues, tags
from portal.services.tickets.messages import StaleView, add_message
from portal.services.tickets.visibility import get_ticket
from portal.web.common import apply_errors, client_ip, db, page_args, utcnow
from portal.web.fields import choices
from portal.web.staff import bp
from portal.web.staff.forms import StaffReplyForm, StaffRequestForm
from portal.web.ticketing import send_attachment, ticket_ctx, uploads_from


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


@bp.route("/")
def home() -> str:
    args = page_args("updated")
    state = request.args.get("state", "open")
    filters = queues.QueueFilters(view="open" if state == "open" else "all",
                                  status=[Status.resolved, Status.closed] if state == "closed" else [])
    page = queues.list_tickets(db(), _me(), filters, now=utcnow(), **args)
    requests = {row.ticket.id: staff_requests.request_of(db(), row.ticket) for row in page.items}
    return render_template("staff/home.html", page=page, args=args, state=state, requests=requests)


@bp.route("/requests/new", methods=["GET", "POST"])
def request_new() -> Any:
    form = StaffRequestForm()
    form.organisation_id.choices = choices(
        [("", "— not sure / not listed —")] + [(str(o.id), o.name) for o in members.list_all_organisations(db())])
    if request.method == "GET":
        form.reply_to.data = current_user.email
    if form.validate_on_submit():
        org_raw = form.organisation_id.data or ""
        try:
            ticket = staff_requests.file_request(db(), staff_requests.StaffRequestInput(
                subject=form.subject.data or "", observed=form.observed.data or "", urgency=form.urgency.data,
                organisation_id=int(org_raw) if org_raw.isdigit() else None,
                repository_symbol=form.repository.data or "", dois=form.dois.data or "",
                error_text=form.error_text.data or "", reply_to=form.reply_to.data or ""),
                staff=_me(), ctx=ticket_ctx(), now=utcnow(), ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash(f"Thank you. Your request has the reference #{ticket.number}; the acknowledgement is on its way.",
                  "success")
            return redirect(url_for("staff.request_page", number=ticket.number))
    return render_template("staff/request_new.html", form=form)


def staff_ticket_page(ticket: Any, *, reply: StaffReplyForm | None = None, new_ids: list[int] | None = None,
                      status: int = 200) -> Any:
    session = db()
    reply = reply or StaffReplyForm(formdata=None)
    reply.seen_message_id.data = str(messages.latest_visible_id(session, ticket, _me()))
    record = staff_requests.request_of(session, ticket)
    return render_template(
        "staff/request.html", ticket=ticket, record=record,
        messages=messages.visible_messages(session, ticket, _me()), files=messages.attachments_by_message(session, ticket),
        events=history.list_events(session, ticket, include_internal=False), dois=tags.dois_of(session, ticket),
        repository=members.get_repository(session, ticket.repository_id) if ticket.repository_id else None,
        reply=reply, new_ids=set(new_ids or []),
    ), status


@bp.route("/requests/<int:number>", endpoint="request_page")
def request_page(number: int) -> Any:
    return staff_ticket_page(get_ticket(db(), number, current_user))


@bp.route("/requests/<int:number>/reply", methods=["POST"])
def request_reply(number: int) -> Any:
    session = db()
    ticket = get_ticket(session, number, current_user)
    form = StaffReplyForm()
    if not form.validate_on_submit():
        return staff_ticket_page(ticket, reply=form, status=400)
    seen = int(form.seen_message_id.data) if (form.seen_message_id.data or "").isdigit() else None
    try:
        add_message(session, ticket, author=_me(), body=form.body.data or "", ctx=ticket_ctx(), now=utcnow(),
                    seen_message_id=seen, attachments=uploads_from())
    except StaleView as exc:
        session.rollback()
        flash(exc.message, "warning")
        return staff_ticket_page(ticket, reply=form, new_ids=exc.new_message_ids, status=409)
    except ValidationFailed as exc:
        session.rollback()
        apply_errors(form, exc)
        return staff_ticket_page(ticket, reply=form, status=422)
    except Conflict as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("staff.request_page", number=number))
    flash("Added to your request.", "success")
    return redirect(url_for("staff.request_page", number=number, _anchor="conversation"))


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id: int) -> Any:
    item = db().get(Attachment, attachment_id)
    if item is None:
        abort(404)
    get_ticket(db(), item.ticket_id, current_user)
    if item.message_id is not None:
        message = db().get(Message, item.message_id)
        if message is None or message.visibility != Visibility.public:
            abort(404)
    return send_attachment(item)


@bp.route("/profile")
def profile() -> str:
    built = profile_service.build_profile(db(), config=current_app.config, now=utcnow())
    return render_template("staff/profile.html", profile=built)


@bp.route("/profile.md")
def profile_markdown() -> Response:
    built = profile_service.build_profile(db(), config=current_app.config, now=utcnow())
    response = Response(profile_service.to_markdown(built), mimetype="text/markdown")
    response.headers["Content-Disposition"] = f'attachment; filename="service-profile-{built.generated_at:%Y-%m-%d}.md"'
    return response


