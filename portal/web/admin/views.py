"""Admin pages: accounts, the audit log and the portal's own state."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, fresh_login_required
from sqlalchemy.engine import make_url

from portal import settings
from portal.errors import Conflict, ValidationFailed
from portal.models import Role
from portal.services import accounts, api_tokens, audit_log, members, system, twofactor
from portal.vault_app import get_vault
from portal.web.admin import bp
from portal.web.admin.forms import ConfirmForm, InviteForm, UserForm
from portal.web.common import apply_errors, client_ip, day_bound, db, page_args, policy, utcnow
from portal.web.fields import choices


def _org_pairs() -> list[tuple[str, str]]:
    return [("", "— none —")] + [(str(o.id), o.name) for o in members.list_all_organisations(db())]


def _org_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@bp.route("/")
def home() -> str:
    overview = system.overview(db(), now=utcnow())
    recent = audit_log.list_events(db(), per_page=10)
    from portal.services.staff.contact import warnings

    return render_template("admin/home.html", overview=overview, recent=recent, contact_warnings=warnings(db()))


@bp.route("/users")
def users() -> str:
    args = page_args("name")
    status = request.args.get("status", "active")
    active = {"active": True, "inactive": False}.get(status)
    page = accounts.list_users(
        db(), q=request.args.get("q", "")[:100], role=request.args.get("role", "")[:20],
        organisation_id=_org_id(request.args.get("org")), active=active, **args,
    )
    return render_template("admin/users.html", page=page, args=args, status=status, orgs=_org_pairs(),
                           roles=[(r.value, r.label) for r in Role])


@bp.route("/users/invite", methods=["GET", "POST"])
def invite() -> object:
    form = InviteForm()
    form.organisation_id.choices = choices(_org_pairs())
    if form.validate_on_submit():
        try:
            user, _link = accounts.invite_user(
                db(), email=form.email.data, name=form.name.data, role=form.role.data,
                organisation_id=_org_id(form.organisation_id.data), policy=policy(), now=utcnow(),
                actor=current_user, ip=client_ip(),
            )
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash(f"Invitation sent to {user.email}. The link works once, for {current_app.config['TOKEN_HOURS']} hours.",
                  "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/invite.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@fresh_login_required
def user(user_id: int) -> object:
    person = accounts.get_user(db(), user_id)
    form = UserForm(obj=person, organisation_id=str(person.organisation_id or ""))
    form.organisation_id.choices = choices(_org_pairs())
    if form.validate_on_submit():
        try:
            accounts.update_user(db(), person, name=form.name.data, role=form.role.data,
                                 organisation_id=_org_id(form.organisation_id.data), actor=current_user,
                                 ip=client_ip())
        except (ValidationFailed, Conflict) as exc:
            db().rollback()
            if isinstance(exc, ValidationFailed):
                apply_errors(form, exc)
            else:
                form.form_errors.append(exc.message)
        else:
            flash("Saved.", "success")
            return redirect(url_for("admin.user", user_id=person.id))
    history = audit_log.list_events(db(), target_type="user_account", target_id=str(person.id), per_page=20)
    return render_template("admin/user.html", person=person, form=form, history=history, confirm=ConfirmForm(),
                           tokens=api_tokens.list_tokens(db(), person), now=utcnow(), state=api_tokens.token_state)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@fresh_login_required
def deactivate(user_id: int) -> object:
    person = accounts.get_user(db(), user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            accounts.set_active(db(), person, active=False, actor=current_user, ip=client_ip())
        except Conflict as exc:
            flash(exc.message, "error")
        else:
            flash(f"{person.name} is deactivated and signed out everywhere.", "success")
        return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/confirm.html", form=form, heading=f"Deactivate {person.name}?",
                           text="They are signed out at once and cannot sign in until reactivated. "
                                "Their tickets and history stay.",
                           button="Deactivate", cancel=url_for("admin.user", user_id=person.id))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@fresh_login_required
def reactivate(user_id: int) -> object:
    person = accounts.get_user(db(), user_id)
    if ConfirmForm().validate_on_submit():
        accounts.set_active(db(), person, active=True, actor=current_user, ip=client_ip())
        flash(f"{person.name} can sign in again.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/users/<int:user_id>/resend-invitation", methods=["POST"])
def resend_invitation(user_id: int) -> object:
    person = accounts.get_user(db(), user_id)
    if ConfirmForm().validate_on_submit():
        try:
            accounts.resend_invitation(db(), person, policy=policy(), now=utcnow(), actor=current_user, ip=client_ip())
        except Conflict as exc:
            flash(exc.message, "error")
        else:
            flash(f"A new invitation went to {person.email}; earlier links no longer work.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/users/<int:user_id>/reset-two-factor", methods=["GET", "POST"])
@fresh_login_required
def reset_two_factor(user_id: int) -> object:
    person = accounts.get_user(db(), user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        twofactor.reset(db(), person, actor=current_user, ip=client_ip())
        flash(f"{person.name}'s second factor is removed; they set up a new one at their next sign-in.", "success")
        return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/confirm.html", form=form, heading=f"Reset {person.name}'s two-factor sign-in?",
                           text="Do this only after confirming their identity another way (for example by phone). "
                                "Their recovery codes stop working and they are signed out.",
                           button="Reset two-factor sign-in", cancel=url_for("admin.user", user_id=person.id))


@bp.route("/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@fresh_login_required
def token_revoke(token_id: int) -> object:
    token = api_tokens.get_token(db(), token_id)
    person = accounts.get_user(db(), token.user_id)
    form = ConfirmForm()
    back = url_for("admin.user", user_id=person.id)
    if form.validate_on_submit():
        if api_tokens.revoke_token(db(), token, actor=current_user, ip=client_ip(), now=utcnow()):
            flash(f"{person.name}'s token {token.prefix}… ({token.name}) is revoked.", "success")
        else:
            flash(f"The token {token.prefix}… was already revoked.", "info")
        return redirect(back)
    return render_template("admin/confirm.html", form=form, heading=f"Revoke {person.name}'s API token “{token.name}”?",
                           text=f"Calls with {token.prefix}… fail at once. Integrations using it stop working until "
                                "they get a new token.", button="Revoke token", cancel=back)


@bp.route("/audit")
def audit() -> str:
    args = page_args(default_per_page=50)
    since_raw, until_raw = request.args.get("since", ""), request.args.get("until", "")
    page = audit_log.list_events(
        db(),
        action=request.args.get("action", "")[:80],
        actor=request.args.get("actor", "")[:100],
        target_type=request.args.get("target_type", "")[:40],
        target_id=request.args.get("target_id", "")[:80],
        since=day_bound(since_raw),
        until=day_bound(until_raw, end=True),
        descending=request.args.get("dir") != "asc",
        page=args["page"],
        per_page=args["per_page"],
    )
    bad_dates = [raw for raw in (since_raw, until_raw) if raw and day_bound(raw) is None]
    return render_template("admin/audit.html", page=page, actions=audit_log.action_names(db()),
                           target_types=audit_log.target_types(db()), bad_dates=bad_dates)


@bp.route("/system", endpoint="system")
def system_page() -> str:
    cfg = current_app.config
    shown = {s.name: settings.masked(s.name, cfg.get(s.name)) for s in settings.SETTINGS}
    vault = get_vault()
    url = make_url(cfg["DATABASE_URL"])
    return render_template(
        "admin/system.html",
        settings=settings.SETTINGS,
        shown=shown,
        key_ids=vault.key_ids,
        primary=vault.primary,
        backend=url.get_backend_name(),
        overview=system.overview(db(), now=utcnow()),
    )

