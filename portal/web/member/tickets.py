"""Members' tickets: file one, follow and answer their organisation's, close and rate them."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import Conflict, DomainError, ValidationFailed
from portal.models import Attachment, Channel, Status, User
from portal.services import members
from portal.services.docs import new_interaction, record_suggestion_event, suggest_articles
from portal.services.docs.deflection import INTERACTION_PATTERN
from portal.services.tickets import history, messages, queues, tags
from portal.services.tickets.classify import recognise
from portal.services.tickets.core import NewTicket, close_by_member, create_ticket, rate
from portal.services.tickets.messages import StaleView, add_message
from portal.services.tickets.visibility import get_ticket
from portal.web.common import apply_errors, client_ip, db, page_args, utcnow
from portal.web.docs import docs_library
from portal.web.fields import choices
from portal.web.member import bp
from portal.web.member.forms import CloseForm, RateForm, ReplyForm, TicketForm
from portal.web.member.views import own_organisation
from portal.web.ticketing import send_attachment, ticket_ctx, uploads_from


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


@bp.route("/tickets")
def tickets() -> str:
    args = page_args("updated")
    q = request.args.get("q", "")[:200]
    state = request.args.get("state") or ("all" if q.strip() else "open")
    filters = queues.QueueFilters(view="open" if state == "open" else "all",
                                  status=[Status.resolved, Status.closed] if state == "closed" else [],
                                  q=q, doi=request.args.get("doi", "")[:300])
    page = queues.list_tickets(db(), _me(), filters, now=utcnow(), **args)
    return render_template("member/tickets.html", page=page, args=args, state=state)


@bp.route("/tickets/new", methods=["GET", "POST"])
def ticket_new() -> Any:
    org = own_organisation()
    form = TicketForm()
    repos = members.repositories_of(db(), org)
    form.repository_id.choices = choices(
        [("", "— choose —")] + [(str(r.id), f"{r.symbol} ({r.environment})") for r in repos if r.active])
    recognised = recognise(form.error_text.data or "") if form.is_submitted() else None
    interaction = _interaction()
    if request.method == "POST" and request.form.get("action") == "check":
        return render_template("member/ticket_new.html", form=form, recognised=recognised, checked=True,
                               suggestions=_suggestions(form, recognised, interaction), interaction=interaction)
    if form.validate_on_submit():
        raw = form.repository_id.data or ""
        data = NewTicket(subject=form.subject.data or "", body=form.body.data or "", channel=Channel.member_portal,
                         requester=_me(), repository_id=int(raw) if raw.isdigit() else None,
                         environment=form.environment.data or "", category=form.category.data,
                         error_text=form.error_text.data or "", dois=form.dois.data or "", attachments=uploads_from())
        try:
            ticket = create_ticket(db(), data, ctx=ticket_ctx(), actor=_me(), now=utcnow(), ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            _record_filed(interaction)
            flash(f"Thank you. Your request has the number #{ticket.number}; we will answer here and by email.",
                  "success")
            return redirect(url_for("member.ticket", number=ticket.number))
    return render_template("member/ticket_new.html", form=form, recognised=recognised, suggestions=[],
                           checked=False, interaction=interaction)


def _interaction() -> str:
    """The suggestion interaction this form belongs to (kept in a hidden field across the check step)."""
    raw = request.form.get("suggestion_interaction", "")
    return raw if INTERACTION_PATTERN.match(raw) else new_interaction()


def _suggestions(form: TicketForm, recognised: Any, interaction: str) -> list[Any]:
    """Documentation articles that may answer the question, recorded as shown."""
    if not form.is_submitted() or not ((form.subject.data or "").strip() or (form.error_text.data or "").strip()):
        return []
    found = suggest_articles(form.subject.data or "", form.error_text.data or "", audience_role="member",
                             failure_key=recognised.key if recognised else None, library=docs_library())
    if found:
        try:
            record_suggestion_event(db(), interaction=interaction, outcome="shown", user_id=current_user.id,
                                    now=utcnow(), slugs=[s.slug for s in found], subject=form.subject.data or "",
                                    error_text=form.error_text.data or "",
                                    failure_key=recognised.key if recognised else "")
        except DomainError:
            db().rollback()
    return found


def _record_filed(interaction: str) -> None:
    try:
        record_suggestion_event(db(), interaction=interaction, outcome="filed", user_id=current_user.id, now=utcnow())
    except DomainError:  # nothing was suggested in this interaction
        db().rollback()


def member_ticket_page(ticket: Any, *, reply: ReplyForm | None = None, new_ids: list[int] | None = None,
                       status: int = 200) -> Any:
    session = db()
    viewer = _me()
    reply = reply or ReplyForm(formdata=None)
    reply.seen_message_id.data = str(messages.latest_visible_id(session, ticket, viewer))
    repo = members.get_repository(session, ticket.repository_id) if ticket.repository_id else None
    return render_template(
        "member/ticket.html", ticket=ticket, repository=repo,
        messages=messages.visible_messages(session, ticket, viewer),
        files=messages.attachments_by_message(session, ticket),
        events=history.list_events(session, ticket, include_internal=False), dois=tags.dois_of(session, ticket),
        recognised=recognise(ticket.error_text), reply=reply, close_form=CloseForm(formdata=None),
        rate_form=RateForm(formdata=None), new_ids=set(new_ids or []),
    ), status


@bp.route("/tickets/<int:number>")
def ticket(number: int) -> Any:
    return member_ticket_page(get_ticket(db(), number, current_user))


@bp.route("/tickets/<int:number>/reply", methods=["POST"])
def ticket_reply(number: int) -> Any:
    session = db()
    ticket = get_ticket(session, number, current_user)
    form = ReplyForm()
    if not form.validate_on_submit():
        return member_ticket_page(ticket, reply=form, status=400)
    seen = int(form.seen_message_id.data) if (form.seen_message_id.data or "").isdigit() else None
    try:
        add_message(session, ticket, author=_me(), body=form.body.data or "", ctx=ticket_ctx(), now=utcnow(),
                    seen_message_id=seen, attachments=uploads_from())
    except StaleView as exc:
        session.rollback()
        flash(exc.message, "warning")
        return member_ticket_page(ticket, reply=form, new_ids=exc.new_message_ids, status=409)
    except ValidationFailed as exc:
        session.rollback()
        apply_errors(form, exc)
        return member_ticket_page(ticket, reply=form, status=422)
    except Conflict as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("member.ticket", number=number))
    flash("Your reply is sent.", "success")
    return redirect(url_for("member.ticket", number=number, _anchor="conversation"))


@bp.route("/tickets/<int:number>/close", methods=["GET", "POST"])
def ticket_close(number: int) -> Any:
    ticket = get_ticket(db(), number, current_user)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            close_by_member(db(), ticket, member=_me(), ctx=ticket_ctx(), now=utcnow(), reason=form.reason.data or "")
        except (Conflict, ValidationFailed) as exc:
            db().rollback()
            flash(exc.message, "error")
        else:
            flash(f"#{number} is closed. You can still rate our answer.", "success")
        return redirect(url_for("member.ticket", number=number))
    return render_template("member/ticket_close.html", ticket=ticket, form=form)


@bp.route("/tickets/<int:number>/rate", methods=["POST"])
def ticket_rate(number: int) -> Any:
    ticket = get_ticket(db(), number, current_user)
    form = RateForm()
    if form.validate_on_submit():
        try:
            rate(db(), ticket, member=_me(), score=form.score.data or 0, comment=form.comment.data or "", now=utcnow())
        except (Conflict, ValidationFailed) as exc:
            db().rollback()
            flash(exc.message, "error")
        else:
            flash("Thank you for rating our answer.", "success")
    return redirect(url_for("member.ticket", number=number))


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id: int) -> Any:
    item = db().get(Attachment, attachment_id)
    if item is None:
        abort(404)
    get_ticket(db(), item.ticket_id, current_user)
    from portal.models import Message, Visibility

    if item.message_id is not None:
        message = db().get(Message, item.message_id)
        if message is None or message.visibility != Visibility.public:
            abort(404)  # files on internal notes stay internal
    return send_attachment(item)
