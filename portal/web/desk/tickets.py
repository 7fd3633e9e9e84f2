"""The agents' queue, new tickets and the ticket page."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import ValidationFailed
from portal.models import Attachment, Channel, Status, Ticket
from portal.models.tickets import CATEGORY_LABELS, STATUS_LABELS
from portal.services import members
from portal.services.accounts import list_users
from portal.services.held import Choice
from portal.services.mail.posting import held_mail
from portal.services.tickets import canned, escalation, history, links, messages, presence, queues, tags
from portal.services.tickets.assignment import agent_choices
from portal.services.tickets.classify import recognise
from portal.services.tickets.core import NewTicket, create_ticket
from portal.services.tickets.groups import group_choices
from portal.services.tickets.lifecycle import allowed_next
from portal.services.tickets.parts import present_parts
from portal.services.tickets.visibility import get_ticket
from portal.web.common import apply_errors, client_ip, db, page_args, utcnow
from portal.web.desk import bp
from portal.web.desk.ticket_forms import (
    AnswerForm,
    AssignForm,
    BulkForm,
    FieldsForm,
    LinkForm,
    NewTicketForm,
    ReplyForm,
    StatusForm,
)
from portal.web.fields import choices
from portal.web.ticketing import send_attachment, ticket_ctx, uploads_from


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "")[:10])
    except ValueError:
        return None


def _filters() -> queues.QueueFilters:
    q = request.args.get("q", "")[:200]
    return queues.QueueFilters(
        view=request.args.get("view") or ("all" if q.strip() else "open"),
        status=[s for s in request.args.getlist("status") if s][:6],
        priority=request.args.get("priority", "")[:10],
        category=request.args.get("category", "")[:30],
        group_id=_int_arg("group"),
        assignee_id=_int_arg("assignee"),
        organisation_id=_int_arg("org"),
        repository_id=_int_arg("repository"),
        tag=request.args.get("tag", "")[:40],
        doi=request.args.get("doi", "")[:300],
        channel=request.args.get("channel", "")[:20],
        q=q,
        created_from=_date_arg("from"),
        created_to=_date_arg("to"),
    )


def bulk_actions(agents: tuple[Choice, ...] | None = None) -> list[tuple[str, str]]:
    options = [("", "Choose an action…"), ("assign:me", "Assign to me"), ("assign:none", "Unassign")]
    options += [(f"assign:{u.id}", f"Assign to {u.name}") for u in (agent_choices(db()) if agents is None else agents)]
    options += [(f"status:{s.value}", f"Set status: {STATUS_LABELS[s]}") for s in Status if s != Status.new]
    return options


@bp.route("/tickets")
def tickets() -> str:
    args = page_args("")
    filters = _filters()
    now = utcnow()
    counts = queues.counts(db(), current_user, now=now)
    page = queues.list_tickets(db(), current_user, filters, now=now, **args,
                               known_total=counts.get(filters.view) if filters.view_only else None)
    agents = agent_choices(db())
    bulk = BulkForm()
    bulk.action.choices = choices(bulk_actions(agents))
    return render_template(
        "desk/tickets.html", page=page, args=args, filters=filters, views=queues.VIEWS,
        counts=counts, bulk=bulk, groups=group_choices(db()),
        agents=agents, organisations=members.list_all_organisations(db()), statuses=STATUS_LABELS,
        categories=CATEGORY_LABELS,
    )


def _org_choices() -> list[tuple[str, str]]:
    return [("", "— choose —")] + [(str(o.id), o.name) for o in members.list_all_organisations(db())]


@bp.route("/tickets/new", methods=["GET", "POST"])
def ticket_new() -> Any:
    form = NewTicketForm()
    form.organisation_id.choices = choices(_org_choices())
    org_id = form.organisation_id.data if request.method == "POST" else request.args.get("org", "")
    org = members.get_organisation(db(), int(org_id)) if org_id and org_id.isdigit() else None
    people = list_users(db(), organisation_id=org.id, active=True, per_page=200).items if org else []
    form.requester.choices = choices([("", "— none —")] + [(str(u.id), f"{u.name} <{u.email}>") for u in people])
    repos = members.repositories_of(db(), org) if org else []
    form.repository_id.choices = choices([("", "— none —")] + [(str(r.id), f"{r.symbol} ({r.environment})") for r in repos])
    if request.method == "GET" and org:
        form.organisation_id.data = str(org.id)
    if request.method == "POST" and request.form.get("action") == "refresh":
        return render_template("desk/ticket_new.html", form=form)
    if form.validate_on_submit():
        requester = next((u for u in people if str(u.id) == form.requester.data), None)
        data = NewTicket(
            subject=form.subject.data or "", body=form.body.data or "", channel=form.channel.data,
            requester=requester, requester_email=form.requester_email.data or "",
            organisation_id=org.id if org else None,
            repository_id=int(form.repository_id.data) if (form.repository_id.data or "").isdigit() else None,
            environment=form.environment.data or "", category=form.category.data, priority=form.priority.data,
            error_text=form.error_text.data or "", dois=form.dois.data or "", tags=form.tags.data or "",
            attachments=uploads_from(),
        )
        try:
            ticket = create_ticket(db(), data, ctx=ticket_ctx(), actor=current_user, now=utcnow(), ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash(f"Ticket #{ticket.number} is open.", "success")
            return redirect(url_for("desk.ticket", number=ticket.number))
    return render_template("desk/ticket_new.html", form=form)


def ticket_page(ticket: Ticket, *, reply: ReplyForm | None = None, fields: FieldsForm | None = None,
                status_form: StatusForm | None = None, link_form: LinkForm | None = None,
                new_ids: list[int] | None = None, status: int = 200) -> Any:
    """Render the agent's ticket page (also after a failed form, with that form's errors)."""
    session = db()
    now = utcnow()
    viewer = current_user._get_current_object()  # type: ignore[attr-defined]
    others = presence.check_in(session, ticket, viewer, state="viewing", now=now)
    reply = reply or ReplyForm(formdata=None)
    reply.seen_message_id.data = str(ticket.last_message_id)
    reply.after.choices = choices([("", "— keep as it is —")] + [(s.value, s.label) for s in allowed_next(ticket)
                                                                  if s != Status.open or ticket.status == Status.new])
    answers = canned.answer_choices(session)
    suggested = canned.suggested_for(ticket, answers)
    reply.canned_id.choices = choices([("", "— choose —")] + [(str(a.id), a.title) for a in answers])
    if suggested and not reply.canned_id.data:
        reply.canned_id.data = str(suggested.id)
    fields = fields or FieldsForm(formdata=None, obj=ticket)
    org = members.get_organisation(session, ticket.organisation_id) if ticket.organisation_id else None
    repos = members.repositories_of(session, org) if org else []
    fields.repository_id.choices = choices(
        [("", "— none —")] + [(str(r.id), f"{r.symbol} ({r.environment})") for r in repos])
    parts = present_parts(session, ticket)  # read below only the optional parts the ticket has
    dois = tags.dois_of(session, ticket)
    tag_list = tags.tags_of(session, ticket) if "tags" in parts else []
    if fields.repository_id.data is None or not request.form:
        fields.repository_id.data = str(ticket.repository_id or "")
        fields.dois.data = "\n".join(dois)
        fields.tags.data = ", ".join(tag_list)
    assign_form = AssignForm(formdata=None)
    assign_form.assignee_id.choices = choices([("", "— nobody —")] + [(str(u.id), u.name) for u in agent_choices(session)])
    assign_form.assignee_id.data = str(ticket.assignee_id or "")
    assign_form.group_id.choices = choices([("", "— none —")] + [(str(g.id), g.name) for g in group_choices(session)])
    assign_form.group_id.data = str(ticket.group_id or "")
    status_form = status_form or StatusForm(formdata=None)
    status_form.status.choices = choices([(s.value, s.label) for s in allowed_next(ticket)])
    body = render_template(
        "desk/ticket.html", ticket=ticket, org=org,
        repository=members.get_repository(session, ticket.repository_id) if ticket.repository_id else None,
        messages=messages.visible_messages(session, ticket, viewer),
        files=messages.attachments_by_message(session, ticket) if "attachments" in parts else {},
        events=history.list_events(session, ticket, include_internal=True),
        dois=dois, tag_list=tag_list,
        links=links.links_of(session, ticket) if "links" in parts else [],
        escalations=escalation.escalations_of(session, ticket) if "escalations" in parts else [],
        recognised=recognise(ticket.error_text), suggested=suggested, others=others,
        reply=reply, fields=fields, assign_form=assign_form, status_form=status_form,
        link_form=link_form or LinkForm(formdata=None), answer_form=AnswerForm(formdata=None),
        new_ids=set(new_ids or []), requester_is_member=ticket.channel != Channel.datacite_staff,
        sla=sla_view(ticket, now), held=held_mail(session, ticket) if "held_mail" in parts else [],
    )
    return body, status


def sla_view(ticket: Ticket, now: Any) -> list[dict[str, Any]]:
    """The due times a ticket shows, with a state for each: ok, warning, breached, paused, met."""
    from portal.services.tickets import sla_hooks

    return sla_hooks.describe(ticket, now)


@bp.route("/tickets/<int:number>")
def ticket(number: int) -> Any:
    return ticket_page(get_ticket(db(), number, current_user))


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id: int) -> Any:
    item = db().get(Attachment, attachment_id)
    if item is None:
        abort(404)
    get_ticket(db(), item.ticket_id, current_user)
    return send_attachment(item)


