"""A repository's DOI-registration health: counts by state over time as a chart, open findings, last check."""

from __future__ import annotations

from flask import abort, render_template
from markupsafe import Markup

from portal.models import Organisation, Repository
from portal.services.checks.history import RepositoryHealth, repository_health
from portal.web.charts import Series, line_chart
from portal.web.common import db
from portal.web.desk import bp


def history_chart(health: RepositoryHealth, symbol: str) -> Markup:
    """Lines of findable, registered and draft DOIs per health run."""
    snaps = health.snapshots
    latest = health.latest
    description = (f"{len(snaps)} health runs. Latest: {latest.findable} findable, {latest.registered} registered, "
                   f"{latest.draft} draft DOIs." if latest else "No health run has checked this repository yet.")
    return line_chart(
        chart_id="health-history", title=f"DOIs of {symbol} by state, per health run", description=description,
        categories=[f"{s.taken_at:%d %b}" for s in snaps],
        series=[Series("Findable", [s.findable for s in snaps], "findable"),
                Series("Registered", [s.registered for s in snaps], "registered"),
                Series("Draft", [s.draft for s in snaps], "draft")],
        whole=True, empty="No health run has checked this repository yet.")


@bp.route("/repositories/<int:repo_id>/health")
def repository_health_page(repo_id: int) -> str:
    repository = db().get(Repository, repo_id) or abort(404)
    health = repository_health(db(), repo_id)
    return render_template("desk/repository_health.html", repo=repository, health=health,
                           org=db().get(Organisation, repository.organisation_id),
                           chart=history_chart(health, repository.symbol))
