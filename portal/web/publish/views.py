"""Pages for publishers of the integration documentation: list, edit with preview, publish, history."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import Conflict, ValidationFailed
from portal.services.docs import deflection_stats, renaming
from portal.services.docs import publishing as pub
from portal.services.docs.diffs import diff_revision
from portal.services.docs.library import content_hash
from portal.services.docs.overview import page_overview
from portal.services.docs.preview import preview_text
from portal.web.common import apply_errors, client_ip, db, utcnow
from portal.web.docs import docs_library
from portal.web.fields import choices
from portal.web.publish import bp
from portal.web.publish.forms import ConfirmForm, EditForm, NewPageForm, RenameForm

STATS_DAYS = 90


def _slug_or_404(slug: str) -> str:
    try:
        return pub.check_slug(slug)
    except ValidationFailed:
        abort(404)


@bp.route("/")
def home() -> str:
    now = utcnow()
    rows, problems = page_overview(db(), library=docs_library(), now=now,
                                   review_months=current_app.config["DOCS_REVIEW_MONTHS"])
    stats = deflection_stats(db(), since=now - timedelta(days=STATS_DAYS))
    return render_template("publish/home.html", rows=rows, problems=problems, stats=stats, stats_days=STATS_DAYS,
                           review_months=current_app.config["DOCS_REVIEW_MONTHS"], confirm=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
def new() -> object:
    form = NewPageForm()
    snapshot = docs_library().snapshot()
    form.section.choices = choices(snapshot.sections.items() or [("general", "General")])
    if form.validate_on_submit():
        try:
            draft = pub.create_page_draft(db(), library=docs_library(), slug=form.slug.data or "",
                                          title=form.title.data or "", summary=form.summary.data or "",
                                          section=form.section.data or "", audience=form.audience.data or "",
                                          author=current_user, now=utcnow())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash("Draft created. Write the page, then publish it.", "success")
            return redirect(url_for("publish.edit", slug=draft.slug))
    return render_template("publish/new.html", form=form)


@bp.route("/pages/<path:slug>/edit", methods=["GET", "POST"])
def edit(slug: str) -> object:
    slug = _slug_or_404(slug)
    library = docs_library()
    published = pub.current_text(library, slug)
    draft = pub.get_draft(db(), slug)
    if published is None and draft is None:
        abort(404)
    form = EditForm()
    if request.method == "GET":
        form.text.data = draft.text if draft else published
        form.base_hash.data = draft.base_hash if draft else content_hash(published or "")
    action = request.form.get("action", "preview")
    if form.validate_on_submit() and action != "preview":
        text, base = form.text.data or "", form.base_hash.data or ""
        if action == "save":
            pub.save_draft(db(), slug=slug, text=text, author=current_user, base_hash=base, now=utcnow())
            flash("Draft saved. It is not published yet.", "success")
            return redirect(url_for("publish.edit", slug=slug))
        if action == "discard":
            pub.discard_draft(db(), slug=slug, actor=current_user, ip=client_ip())
            flash("Draft discarded.", "success")
            return redirect(url_for("publish.home"))
        try:
            revision = pub.publish_page(db(), library=library, slug=slug, text=text, author=current_user,
                                        now=utcnow(), message=form.message.data or "", base_hash=base,
                                        ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        except Conflict as exc:
            db().rollback()
            pub.save_draft(db(), slug=slug, text=text, author=current_user, base_hash=base, now=utcnow())
            flash(exc.message, "error")
            return redirect(url_for("publish.edit", slug=slug))
        else:
            flash(f"Published as revision {revision.number}.", "success")
            return redirect(url_for("docs.page", slug=slug) if slug != "index" else url_for("docs.home"))
    preview = preview_text(form.text.data or "", slug=slug)
    return render_template("publish/edit.html", form=form, slug=slug, draft=draft, published=published is not None,
                           preview=preview), (422 if form.errors else 200)


@bp.route("/preview", methods=["POST"])
def preview() -> str:
    """The rendered preview of posted text, as an HTML fragment for the editor's live preview."""
    return render_template("publish/_preview.html", preview=preview_text(request.form.get("text", "")[:200_000]))


@bp.route("/pages/<path:slug>/revisions")
def revisions(slug: str) -> str:
    slug = _slug_or_404(slug)
    return render_template("publish/revisions.html", slug=slug, revisions=pub.list_revisions(db(), slug=slug),
                           exists=pub.current_text(docs_library(), slug) is not None)


@bp.route("/pages/<path:slug>/revisions/<int:revision_id>")
def revision(slug: str, revision_id: int) -> str:
    slug = _slug_or_404(slug)
    against = "current" if request.args.get("against") == "current" else "previous"
    found, diff = diff_revision(db(), library=docs_library(), slug=slug, revision_id=revision_id, against=against)
    return render_template("publish/revision.html", slug=slug, revision=found, diff=diff, against=against)


@bp.route("/pages/<path:slug>/revisions/<int:revision_id>/restore", methods=["GET", "POST"])
def restore(slug: str, revision_id: int) -> object:
    slug = _slug_or_404(slug)
    found = pub.get_revision(db(), slug=slug, revision_id=revision_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            new = pub.restore_revision(db(), library=docs_library(), slug=slug, revision_id=revision_id,
                                       author=current_user, now=utcnow(), ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            flash(" ".join(exc.errors.values()), "error")
            return redirect(url_for("publish.revisions", slug=slug))
        flash(f"Revision {found.number} is published again, as revision {new.number}.", "success")
        return redirect(url_for("docs.page", slug=slug) if slug != "index" else url_for("docs.home"))
    return render_template("admin/confirm.html", form=form, heading=f"Restore revision {found.number}?",
                           text=f"The text of revision {found.number} ({found.author_label}) becomes the published "
                                f"page again, as a new revision. Nothing in the history is lost.",
                           button="Restore and publish", cancel=url_for("publish.revisions", slug=slug))


@bp.route("/pages/<path:slug>/rename", methods=["GET", "POST"])
def rename(slug: str) -> object:
    slug = _slug_or_404(slug)
    if docs_library().snapshot().get(slug) is None:
        abort(404)
    form = RenameForm()
    if request.method == "GET":
        form.new_slug.data = slug
    if form.validate_on_submit():
        try:
            renaming.rename_page(db(), library=docs_library(), slug=slug, new_slug=form.new_slug.data or "",
                            author=current_user, now=utcnow(), ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            new_slug = pub.check_slug(form.new_slug.data or "")
            flash(f"Moved to {new_slug}. Links to {slug} keep working.", "success")
            return redirect(url_for("docs.page", slug=new_slug))
    return render_template("publish/rename.html", form=form, slug=slug)


@bp.route("/pages/<path:slug>/review", methods=["POST"])
def review(slug: str) -> object:
    slug = _slug_or_404(slug)
    if ConfirmForm().validate_on_submit():
        done = pub.mark_reviewed(db(), library=docs_library(), slug=slug, author=current_user, now=utcnow(),
                                 ip=client_ip())
        flash(f"{slug} is marked as reviewed today." if done else f"{slug} was already reviewed today.", "success")
    return redirect(url_for("publish.home"))
