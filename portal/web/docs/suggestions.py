"""Suggested articles while someone describes a problem, and whether they helped (deflection)."""

from __future__ import annotations

from flask import flash, jsonify, redirect, request, url_for
from flask_login import current_user

from portal.errors import DomainError
from portal.services.docs import new_interaction, record_suggestion_event, suggest_articles
from portal.services.docs.deflection import INTERACTION_PATTERN
from portal.web.access import role_of
from portal.web.common import db, safe_next, utcnow
from portal.web.docs import bp, docs_library

MAX_SUBJECT = 300
MAX_ERROR = 4000
FEEDBACK_OUTCOMES = frozenset({"opened", "solved"})


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" or request.headers.get("X-Requested-With") == "fetch"


@bp.route("/docs/suggest", methods=["GET", "POST"])
def suggest() -> object:
    """JSON suggestions for a subject and error text; a POST by a signed-in person records them as shown."""
    values = request.values
    subject = values.get("subject", "")[:MAX_SUBJECT]
    error_text = values.get("error", "")[:MAX_ERROR]
    error_class = values.get("error_class", "")[:40] or None
    failure_key = values.get("failure_key", "")[:40] or None
    limit = min(5, max(1, int(values["limit"]) if values.get("limit", "").isdigit() else 3))
    interaction = values.get("interaction", "")
    if not INTERACTION_PATTERN.match(interaction):
        interaction = new_interaction()
    found = suggest_articles(subject, error_text, error_class, audience_role=role_of(current_user), limit=limit,
                             failure_key=failure_key, library=docs_library()) if (subject or error_text) else []
    if request.method == "POST" and found and current_user.is_authenticated:
        try:
            record_suggestion_event(db(), interaction=interaction, outcome="shown", user_id=current_user.id,
                                    now=utcnow(), slugs=[s.slug for s in found], subject=subject,
                                    error_text=error_text, error_class=error_class or "",
                                    failure_key=failure_key or "")
        except DomainError:
            db().rollback()
            interaction = new_interaction()
    return jsonify(
        interaction=interaction,
        feedback_url=url_for("docs.feedback"),
        suggestions=[{"slug": s.slug, "title": s.title, "summary": s.summary, "reason": s.reason,
                      "score": s.score, "url": url_for("docs.page", slug=s.slug, via=interaction)}
                     for s in found],
    )


@bp.route("/docs/feedback", methods=["POST"])
def feedback() -> object:
    """Record that a suggested article was opened, or that it solved the problem."""
    outcome = request.form.get("outcome", "")
    slug = request.form.get("slug", "")[:120]
    back = safe_next(request.form.get("next"), url_for("docs.page", slug=slug) if slug else url_for("docs.home"))
    try:
        if outcome not in FEEDBACK_OUTCOMES:
            raise DomainError("Tell us whether the article was opened or solved the problem.")
        record_suggestion_event(db(), interaction=request.form.get("interaction", ""), outcome=outcome,
                                user_id=current_user.id, now=utcnow(), slug=slug)
    except DomainError as exc:
        db().rollback()
        if _wants_json():
            return jsonify(error={"status": 400, "detail": exc.message}), 400
        flash(exc.message or "That could not be recorded.", "error")
        return redirect(back)
    if _wants_json():
        return jsonify(recorded=outcome)
    if outcome == "solved":
        flash("Glad it helped. There is nothing to file; thank you for telling us.", "success")
    return redirect(back)
