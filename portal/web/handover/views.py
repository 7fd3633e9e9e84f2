"""The public hand-over page: someone with a one-time link enters their repository's credential, no sign-in."""

from __future__ import annotations

from flask import current_app, render_template

from portal.errors import ValidationFailed
from portal.services import handover
from portal.services.handover import HandoverPolicy, TokenInvalid
from portal.vault_app import get_vault
from portal.web.common import apply_errors, client_ip, datacite, db, utcnow
from portal.web.credential_entry import CredentialForm, verification_message
from portal.web.handover import bp


@bp.route("/handover/<token>", methods=["GET", "POST"])
def form(token: str) -> object:
    policy = HandoverPolicy.from_config(current_app.config)
    try:
        view = handover.open_handover(db(), signed=token, policy=policy, now=utcnow())
    except TokenInvalid as exc:
        return render_template("handover/invalid.html", message=exc.message), 400
    entry = CredentialForm()
    if entry.validate_on_submit():
        # The repository is the link's; nothing in the form can name another one.
        try:
            result = handover.complete_handover(db(), signed=token, secret=entry.secret.data or "", policy=policy,
                                                vault=get_vault(), connector=datacite(), ip=client_ip(),
                                                now=utcnow())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(entry, exc)
        except TokenInvalid as exc:
            db().rollback()
            return render_template("handover/invalid.html", message=exc.message), 400
        else:
            category, text = verification_message(result.verification)
            return render_template("handover/done.html", view=view, category=category, text=text,
                                   verification=result.verification)
    entry.secret.data = ""
    return render_template("handover/form.html", view=view, form=entry)
