"""Admin pages of the scheduled checks: findings, schema readiness with support plans, CSV, evidence."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.datacite.schema import LATEST
from portal.errors import ValidationFailed
from portal.models import Organisation, Repository
from portal.services.checks import evidence, readiness
from portal.services.checks import findings as findings_service
from portal.services.checks import readiness_report as report_service
from portal.web.admin import bp
from portal.web.admin.checks_forms import SchemaPlanForm
from portal.web.common import apply_errors, client_ip, db, page_args, utcnow

STATUSES = ("open", "closed", "all")
SORTS = ("severity", "newest", "oldest")


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@bp.route("/findings")
def findings() -> str:
    args = page_args("severity")
    status = request.args.get("status", "open")
    severity = request.args.get("severity", "")
    kind = request.args.get("kind", "")
    filters = findings_service.FindingFilters(
        status=status if status in STATUSES else "open",
        severity=severity if severity in findings_service.SEVERITY_ORDER else "",
        kind=kind if kind in findings_service.KIND_LABELS else "",
        organisation_id=_int_arg("organisation_id"), repository_id=_int_arg("repository_id"),
        sort=args["sort"] if args["sort"] in SORTS else "severity")
    page = findings_service.list_findings(db(), filters, page=args["page"], per_page=args["per_page"])
    return render_template("admin/findings.html", page=page, filters=filters, kinds=findings_service.KIND_LABELS,
                           severities=list(findings_service.SEVERITY_ORDER), statuses=STATUSES, sorts=SORTS,
                           counts=findings_service.open_counts(db()))


@bp.route("/readiness")
def readiness_page() -> str:
    today = utcnow().date()
    rows = report_service.latest_reports(db())
    plans = [(plan, readiness.plan_status(db(), version=plan.version, today=today))
             for plan in readiness.list_plans(db())]
    return render_template("admin/readiness.html", rows=rows, summary=report_service.summary(rows), plans=plans,
                           newest=LATEST, supported=readiness.newest_supported(),
                           newest_status=readiness.plan_status(db(), version=LATEST, today=today),
                           sentence=readiness.plan_summary(db(), LATEST),
                           reminders=report_service.portal_reminders(db(), today=today))


@bp.route("/readiness.csv")
def readiness_csv() -> Response:
    response = Response(report_service.readiness_csv(report_service.latest_reports(db())), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="schema-readiness-{utcnow():%Y-%m-%d}.csv"'
    return response


@bp.route("/readiness/repositories/<int:repo_id>")
def readiness_repository(repo_id: int) -> str:
    repository = db().get(Repository, repo_id) or abort(404)
    return render_template("admin/readiness_repository.html", repository=repository,
                           organisation=db().get(Organisation, repository.organisation_id),
                           report=report_service.latest_report(db(), repo_id))


@bp.route("/readiness/plans/<version>", methods=["GET", "POST"])
def schema_plan(version: str) -> Any:
    version = version[:10]
    plan = readiness.get_plan(db(), version)
    form = SchemaPlanForm(obj=plan)
    if not form.is_submitted():
        form.version.data = version
    if form.validate_on_submit():
        try:
            saved = readiness.save_plan(db(), version=form.version.data or "", owner=form.owner.data or "",
                                        target_date=form.target_date.data, status=form.status.data or "",
                                        notes=form.notes.data or "", actor=current_user, now=utcnow(), ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash(f"The support plan for Metadata Schema {saved.version} is saved.", "success")
            return redirect(url_for("admin.readiness_page"))
    return render_template("admin/schema_plan.html", form=form, plan=plan, version=version)


@bp.route("/evidence")
def evidence_page() -> str:
    return render_template("admin/evidence.html", members=evidence.evidence_by_member(db()),
                           newest=evidence.findable_production_dois(db(), limit=50),
                           total=evidence.count_findable_production_dois(db()))
