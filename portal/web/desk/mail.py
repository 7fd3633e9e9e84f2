"""Agents accept mail from someone outside a ticket: as a participant, or as the new requester."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_login import current_user

from portal.errors import Conflict, NotFound, ValidationFailed
from portal.models.types import utcnow
from portal.services.mail.posting import accept_held
from portal.services.tickets.visibility import get_ticket
from portal.web.admin.forms import ConfirmForm
from portal.web.common import client_ip, db
from portal.web.desk import bp


@bp.route("/tickets/<int:number>/held/<int:inbound_id>/accept", methods=["POST"])
def held_accept(number: int, inbound_id: int) -> Any:
    ticket = get_ticket(db(), number, current_user)
    if ConfirmForm().validate_on_submit():
        as_requester = request.form.get("as") == "requester"
        try:
            accept_held(db(), inbound_id=inbound_id, as_requester=as_requester, actor=current_user, now=utcnow(),
                        ip=client_ip(), ticket_id=ticket.id)
        except (Conflict, NotFound) as exc:
            db().rollback()
            flash(exc.message, "error")
        except ValidationFailed as exc:
            db().rollback()
            flash(" ".join(exc.errors.values()), "error")
        else:
            flash("The mail is now part of the conversation." + (
                " Its sender is the requester." if as_requester else " Its sender takes part in the ticket."), "success")
    return redirect(url_for("desk.ticket", number=number))
