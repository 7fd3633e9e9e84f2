"""The public site: the landing page and the integration documentation."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user

from portal.services.docs import can_read, is_stale, search_pages
from portal.services.docs.deflection import INTERACTION_PATTERN
from portal.services.docs.library import IMAGES_DIR
from portal.services.docs.renaming import redirect_target
from portal.web.access import role_of
from portal.web.common import db, utcnow
from portal.web.docs import bp, docs_library

IMAGE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
MAX_QUERY = 500


@bp.route("/")
def index() -> object:
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    return render_template("docs/index.html")


@bp.route("/docs/")
def home() -> str:
    snapshot = docs_library().snapshot()
    role = role_of(current_user)
    start = snapshot.get("index")
    rendered = snapshot.render(start) if start is not None and can_read(start.audience, role) else None
    return render_template("docs/home.html", snapshot=snapshot, sections=snapshot.sections_for(role),
                           start=start if rendered else None, rendered=rendered)


@bp.route("/docs/search")
def search() -> str:
    typed = request.args.get("q") or f"{request.args.get('subject', '')} {request.args.get('error', '')}"
    query = typed[:MAX_QUERY].strip()
    snapshot = docs_library().snapshot()
    hits = search_pages(snapshot, query, role=role_of(current_user)) if query else []
    return render_template("docs/search.html", query=query, hits=hits, snapshot=snapshot,
                           sections=snapshot.sections_for(role_of(current_user)))


@bp.route("/docs/<path:slug>")
def page(slug: str) -> object:
    slug = slug.strip("/")
    if slug.endswith(".md"):  # a link written for GitHub
        return redirect(url_for("docs.page", slug=slug[:-3]), 301)
    if slug == "index":
        return redirect(url_for("docs.home"), 301)
    snapshot = docs_library().snapshot()
    role = role_of(current_user)
    found = snapshot.get(slug)
    if found is None:
        target = snapshot.resolve_alias(slug) or redirect_target(db(), slug)
        if target and snapshot.get(target) is not None:
            keep = {k: v for k, v in request.args.items() if k == "via"}
            return redirect(url_for("docs.page", slug=target, **keep), 301)
        abort(404)
    if not can_read(found.audience, role):
        abort(404)  # not 403: a page someone may not read does not exist for them
    previous, following = snapshot.neighbours(found, role)
    via = request.args.get("via", "")
    stale = is_stale(found.meta.last_reviewed, now=utcnow(), months=current_app.config["DOCS_REVIEW_MONTHS"])
    return render_template(
        "docs/page.html", page=found, rendered=snapshot.render(found), snapshot=snapshot,
        sections=snapshot.sections_for(role), previous=previous, following=following, stale=stale,
        section_title=snapshot.section_title(found.meta.section),
        via=via if current_user.is_authenticated and INTERACTION_PATTERN.match(via) else "",
    )


@bp.route("/docs/images/<path:filename>")
def asset(filename: str) -> object:
    if not any(filename.lower().endswith(ext) for ext in IMAGE_TYPES):
        abort(404)
    return send_from_directory(docs_library().content_dir / IMAGES_DIR, filename, max_age=3600)
