"""Admin pages for scheduled jobs: the schedule, pause/resume/run now, and the history of runs."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import jobs
from portal.models import RunStatus, RunTrigger
from portal.services import job_control, job_runs
from portal.web.admin import bp
from portal.web.admin.forms import ConfirmForm
from portal.web.common import client_ip, day_bound, db, page_args, utcnow

RUN_SORTS = ("started", "duration", "job", "status")


def schedule_specs() -> tuple[jobs.JobSpec, ...]:
    """The schedule this portal runs (with the test suite's extra jobs when configured)."""
    cached = current_app.extensions.get("portal.schedule")
    if cached is None:
        cached = current_app.extensions["portal.schedule"] = jobs.schedule_for(current_app.config)
    return cached


@bp.route("/schedule")
def schedule() -> str:
    now = utcnow()
    return render_template(
        "admin/schedule.html",
        rows=job_control.schedule_overview(db(), schedule=schedule_specs(), now=now),
        status=job_control.scheduler_status(db(), now=now),
        now=now,
    )


@bp.route("/schedule/<job>/run", methods=["POST"])
def job_run_now(job: str) -> object:
    spec = jobs.find_job(schedule_specs(), job)
    if ConfirmForm().validate_on_submit():
        job_control.request_run_now(db(), job=spec, actor=current_user, ip=client_ip(), now=utcnow())
        flash(f"{spec.name} will run within a few seconds, once the scheduler picks up the request.", "success")
    return redirect(url_for("admin.schedule"))


@bp.route("/schedule/<job>/pause", methods=["GET", "POST"])
def job_pause(job: str) -> object:
    spec = jobs.find_job(schedule_specs(), job)
    form = ConfirmForm()
    if form.validate_on_submit():
        job_control.pause_job(db(), job=spec, actor=current_user, ip=client_ip(), now=utcnow())
        flash(f"{spec.name} is paused: no scheduled runs until you resume it.", "success")
        return redirect(url_for("admin.schedule"))
    return render_template(
        "admin/confirm.html", form=form, heading=f"Pause {spec.name}?",
        text=f"{spec.description} While paused, its scheduled runs do not happen and are not made up later; "
             "a run in progress finishes. \"Run now\" still works.",
        button="Pause", cancel=url_for("admin.schedule"),
    )


@bp.route("/schedule/<job>/resume", methods=["POST"])
def job_resume(job: str) -> object:
    spec = jobs.find_job(schedule_specs(), job)
    if ConfirmForm().validate_on_submit():
        job_control.resume_job(db(), job=spec, actor=current_user, ip=client_ip())
        flash(f"{spec.name} runs on schedule again.", "success")
    return redirect(url_for("admin.schedule"))


@bp.route("/runs")
def runs() -> str:
    args = page_args("started", default_per_page=50)
    if "dir" not in request.args:
        args["descending"] = True
    sort = args["sort"] if args["sort"] in RUN_SORTS else "started"
    status = request.args.get("status", "")[:12]
    trigger = request.args.get("trigger", "")[:12]
    since_raw, until_raw = request.args.get("since", "")[:40], request.args.get("until", "")[:40]
    ignored = [raw for raw in (since_raw, until_raw) if raw and day_bound(raw) is None]
    ignored += [raw for raw, known in ((status, RunStatus), (trigger, RunTrigger))
                if raw and raw not in {member.value for member in known}]
    page = job_runs.list_runs(
        db(),
        job=request.args.get("job", "")[:80],
        status=status if status in {s.value for s in RunStatus} else "",
        trigger=trigger if trigger in {t.value for t in RunTrigger} else "",
        since=day_bound(since_raw),
        until=day_bound(until_raw, end=True),
        sort=sort,
        descending=args["descending"],
        page=args["page"],
        per_page=args["per_page"],
    )
    names = sorted(set(job_runs.job_names(db())) | {spec.name for spec in schedule_specs()})
    return render_template("admin/runs.html", page=page, sort=sort, descending=args["descending"], job_names=names,
                           statuses=[s.value for s in RunStatus], triggers=[t.value for t in RunTrigger],
                           ignored=ignored)


@bp.route("/runs/<int:run_id>")
def run(run_id: int) -> str:
    return render_template("admin/run.html", run=job_runs.get_run(db(), run_id))
