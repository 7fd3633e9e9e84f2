"""What agents do on a ticket: reply, note, status, assignment, fields, links, merge, escalation, presence."""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import Conflict, DomainError, ValidationFailed
from portal.models import Status, User, Visibility
from portal.services.tickets import canned, escalation, links, presence, queues
from portal.services.tickets.assignment import assign, set_group
from portal.services.tickets.core import TicketChanges, update_ticket
from portal.services.tickets.groups import find_group
from portal.services.tickets.messages import StaleView, add_message
from portal.services.tickets.status import set_status
from portal.services.tickets.visibility import get_ticket
from portal.web.common import apply_errors, client_ip, db, safe_next, utcnow
from portal.web.desk import bp
from portal.web.desk.ticket_forms import (
    AnswerForm,
    AssignForm,
    BulkForm,
    EscalateForm,
    FieldsForm,
    LinkForm,
    MergeForm,
    ReplyForm,
    StatusForm,
)
from portal.web.desk.tickets import bulk_actions, ticket_page
from portal.web.fields import choices
from portal.web.ticketing import ticket_ctx, uploads_from


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def _back(number: int, anchor: str = "") -> Any:
    return redirect(url_for("desk.ticket", number=number, _anchor=anchor or None))


@bp.route("/tickets/<int:number>/reply", methods=["POST"])
def ticket_reply(number: int) -> Any:
    session = db()
    ticket = get_ticket(session, number, current_user)
    form = ReplyForm()
    action = request.form.get("action", "reply")
    if action == "insert":
        # Without JavaScript: put the chosen canned answer into the message box and show the page again.
        chosen = form.canned_id.data or ""
        if chosen.isdigit():
            answer = canned.get_answer(session, int(chosen))
            text = canned.render(answer.body, canned.variables_for(session, ticket, _me(),
                                                                   base_url=ticket_ctx().mail.base_url))
            form.body.data = ((form.body.data or "").rstrip() + "\n\n" + text).strip()
        return ticket_page(ticket, reply=form)
    if not form.validate_on_submit():
        return ticket_page(ticket, reply=form, status=400)
    seen = int(form.seen_message_id.data) if (form.seen_message_id.data or "").isdigit() else None
    visibility = Visibility.internal if action == "note" else Visibility.public
    try:
        add_message(session, ticket, author=_me(), body=form.body.data or "", ctx=ticket_ctx(), now=utcnow(),
                    visibility=visibility, seen_message_id=seen, attachments=uploads_from(),
                    set_status=(form.after.data or None) if visibility == Visibility.public else None,
                    status_reason=form.status_reason.data or "")
    except StaleView as exc:
        session.rollback()
        flash(exc.message, "warning")
        return ticket_page(ticket, reply=form, new_ids=exc.new_message_ids, status=409)
    except ValidationFailed as exc:
        session.rollback()
        apply_errors(form, exc)
        return ticket_page(ticket, reply=form, status=422)
    presence.touch(session, ticket, _me(), state="viewing", now=utcnow())
    flash("Internal note added." if visibility == Visibility.internal else "Reply sent.", "success")
    return _back(number, "conversation")


@bp.route("/tickets/<int:number>/status", methods=["POST"])
def ticket_status(number: int) -> Any:
    ticket = get_ticket(db(), number, current_user)
    form = StatusForm()
    form.status.choices = choices([(s.value, s.label) for s in Status])
    if form.validate_on_submit():
        try:
            set_status(db(), ticket, form.status.data, actor=_me(), ctx=ticket_ctx(), now=utcnow(),
                       reason=form.reason.data or "")
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
            return ticket_page(ticket, status_form=form, status=422)
        flash(f"Status: {ticket.status_label}.", "success")
    return _back(number)


@bp.route("/tickets/<int:number>/assign", methods=["POST"])
def ticket_assign(number: int) -> Any:
    session = db()
    ticket = get_ticket(session, number, current_user)
    form = AssignForm()
    if form.validate_on_submit():
        raw = form.assignee_id.data or ""
        person = session.get(User, int(raw)) if raw.isdigit() else None
        group = find_group(session, form.group_id.data or "")
        now = utcnow()
        try:
            changed = assign(session, ticket, person, actor=_me(), now=now)
            set_group(session, ticket, group, actor=_me(), now=now)
            if changed and person is not None and person.id != current_user.id:
                from portal.services.tickets import notify

                notify.assigned(session, ticket, ticket_ctx().mail, assignee=person, by=current_user.name)
            session.commit()
        except ValidationFailed as exc:
            session.rollback()
            flash(" ".join(exc.errors.values()), "error")
        else:
            flash("Assignment saved.", "success")
    return _back(number)


@bp.route("/tickets/<int:number>/take", methods=["POST"])
def ticket_take(number: int) -> Any:
    session = db()
    ticket = get_ticket(session, number, current_user)
    if BulkForm().validate_on_submit():
        assign(session, ticket, _me(), actor=_me(), now=utcnow())
        session.commit()
        flash(f"Ticket #{number} is yours.", "success")
    return _back(number)


@bp.route("/tickets/<int:number>/fields", methods=["POST"])
def ticket_fields(number: int) -> Any:
    ticket = get_ticket(db(), number, current_user)
    form = FieldsForm()
    form.repository_id.choices = choices([])
    if form.validate_on_submit():
        raw = form.repository_id.data or ""
        changes = TicketChanges(subject=form.subject.data or "", priority=form.priority.data,
                                category=form.category.data, environment=form.environment.data or "",
                                repository_id=int(raw) if raw.isdigit() else None, clear_repository=not raw,
                                dois=form.dois.data or "", tags=form.tags.data or "")
        try:
            changed = update_ticket(db(), ticket, changes, actor=_me(), now=utcnow())
        except (ValidationFailed, Conflict) as exc:
            db().rollback()
            if isinstance(exc, ValidationFailed):
                apply_errors(form, exc)
            else:
                flash(exc.message, "error")
            return ticket_page(ticket, fields=form, status=422)
        flash("Saved." if changed else "Nothing changed.", "success")
    return _back(number)


@bp.route("/tickets/<int:number>/links", methods=["POST"])
def ticket_link(number: int) -> Any:
    ticket = get_ticket(db(), number, current_user)
    form = LinkForm()
    if form.validate_on_submit():
        try:
            if form.other.data is None:
                raise ValidationFailed({"other": "Give the other ticket's number."})
            links.link(db(), ticket, form.other.data, form.kind.data, actor=_me(), now=utcnow())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
            return ticket_page(ticket, link_form=form, status=422)
        flash("Linked.", "success")
    return _back(number, "links")


@bp.route("/tickets/<int:number>/links/<int:link_id>/delete", methods=["POST"])
def ticket_unlink(number: int, link_id: int) -> Any:
    ticket = get_ticket(db(), number, current_user)
    if BulkForm().validate_on_submit():
        links.unlink(db(), ticket, link_id, actor=_me(), now=utcnow())
        flash("Link removed.", "success")
    return _back(number, "links")


@bp.route("/tickets/<int:number>/merge", methods=["GET", "POST"])
def ticket_merge(number: int) -> Any:
    session = db()
    ticket = get_ticket(session, number, current_user)
    form = MergeForm()
    target = None
    raw = request.values.get("target", "")
    if raw.isdigit():
        target = session.get(type(ticket), int(raw))
    if request.method == "POST" and request.form.get("confirm") == "yes" and form.validate_on_submit():
        if target is None:
            form.target.errors = [f"There is no ticket #{raw or '?'}."]
        else:
            try:
                links.merge(session, ticket, target, actor=_me(), now=utcnow())
            except (ValidationFailed, Conflict) as exc:
                session.rollback()
                flash(exc.message, "error")
            else:
                flash(f"#{number} is merged into #{target.id}.", "success")
                return redirect(url_for("desk.ticket", number=target.id))
    return render_template("desk/ticket_merge.html", ticket=ticket, target=target, form=form)


@bp.route("/tickets/<int:number>/escalate", methods=["GET", "POST"])
def ticket_escalate(number: int) -> Any:
    session = db()
    ticket = get_ticket(session, number, current_user)
    form = EscalateForm()
    action = request.form.get("action", "")
    if request.method == "GET" or action == "build":
        form.package.data = escalation.build_package(session, ticket, steps_taken=form.steps_taken.data or "",
                                                     now=utcnow())
    elif action in ("send", "record") and form.validate_on_submit():
        try:
            escalation.escalate(session, ticket, package=form.package.data or "", send=action == "send", actor=_me(),
                                ctx=ticket_ctx(), now=utcnow(), ip=client_ip())
        except (ValidationFailed, Conflict) as exc:
            session.rollback()
            if isinstance(exc, ValidationFailed):
                apply_errors(form, exc)
            else:
                flash(exc.message, "error")
        else:
            flash("Escalated to DataCite support; the ticket waits on DataCite.", "success")
            return _back(number, "escalations")
    return render_template("desk/ticket_escalate.html", ticket=ticket, form=form,
                           support_email=ticket_ctx().datacite_support_email)


@bp.route("/tickets/<int:number>/escalations/<int:escalation_id>/answer", methods=["POST"])
def ticket_escalation_answer(number: int, escalation_id: int) -> Any:
    ticket = get_ticket(db(), number, current_user)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            escalation.record_answer(db(), ticket, escalation_id, answer=form.answer.data or "",
                                     reference=form.reference.data or "", actor=_me(), now=utcnow())
        except (ValidationFailed, Conflict) as exc:
            db().rollback()
            flash(exc.message, "error")
        else:
            flash("DataCite's answer is recorded; the ticket is open again.", "success")
    else:
        flash("Paste DataCite's answer.", "error")
    return _back(number, "escalations")


@bp.route("/tickets/<int:number>/presence", methods=["POST"])
def ticket_presence(number: int) -> Any:
    """The page's heartbeat: record this agent's state and return who else is here (JSON)."""
    session = db()
    ticket = get_ticket(session, number, current_user)
    now = utcnow()
    others = presence.check_in(session, ticket, _me(), state=request.form.get("state", "viewing"), now=now)
    return jsonify(
        others=[{"name": p.name, "state": p.state} for p in others],
        last_message_id=ticket.last_message_id,
    )


@bp.route("/canned/<int:answer_id>/render")
def canned_render(answer_id: int) -> Any:
    """A canned answer filled in for a ticket (JSON, for inserting at the cursor)."""
    session = db()
    raw = request.args.get("ticket", "")
    ticket = get_ticket(session, int(raw) if raw.isdigit() else 0, current_user)
    answer = canned.get_answer(session, answer_id)
    text = canned.render(answer.body, canned.variables_for(session, ticket, _me(), base_url=ticket_ctx().mail.base_url))
    return jsonify(text=text, title=answer.title)


@bp.route("/tickets/bulk", methods=["POST"])
def tickets_bulk() -> Any:
    session = db()
    form = BulkForm()
    form.action.choices = choices(bulk_actions())
    back = safe_next(request.form.get("back"), url_for("desk.tickets"))
    numbers = [int(n) for n in request.form.getlist("ticket") if n.isdigit()]
    if not form.validate_on_submit() or not form.action.data:
        flash("Choose an action and at least one ticket.", "error")
        return redirect(back)
    targets = queues.bulk_targets(session, current_user, numbers)
    kind, _, value = form.action.data.partition(":")
    done, problems = 0, []
    now = utcnow()
    for ticket in targets:
        try:
            if kind == "assign":
                person = _me() if value == "me" else (session.get(User, int(value)) if value.isdigit() else None)
                assign(session, ticket, person, actor=_me(), now=now)
                session.commit()
            elif kind == "status":
                set_status(session, ticket, value, actor=_me(), ctx=ticket_ctx(), now=now,
                           reason=form.reason.data or "")
            done += 1
        except DomainError as exc:
            session.rollback()
            problems.append(f"#{ticket.id}: {exc.message}")
    flash(f"Done for {done} of {len(targets)} tickets.", "success" if not problems else "warning")
    for problem in problems[:10]:
        flash(problem, "error")
    return redirect(back)
