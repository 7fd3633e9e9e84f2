"""Period and filter parsing with clear errors; report tables as CSV (header, escaping, formula injection)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from portal.errors import NotFound, ValidationFailed
from portal.services.reports.csv_export import csv_filename, safe_cell, table_csv
from portal.services.reports.period import Period, parse_period
from portal.services.reports.report import TABLES, build_report
from portal.services.reports.scope import ReportScope, parse_scope
from portal.services.reports.tables import Column, Kind, Table, duration_text
from tests.services.reports_data import BERLIN, add_ticket, local

NOW = datetime(2024, 6, 9, 10, tzinfo=UTC)


def parse(preset="", first="", last=""):
    return parse_period(preset=preset, first=first, last=last, now=NOW, zone=BERLIN)


def errors_of(call):
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value.errors


def test_presets_and_default():
    assert parse("7").days[-1] == date(2024, 6, 9) and len(parse("7").days) == 7
    assert len(parse().days) == 30 and parse().preset == "30"
    assert len(parse("90").days) == 90


@pytest.mark.parametrize(("preset", "first", "last", "field", "words"), [
    ("14", "", "", "range", "last 7, 30 or 90"),
    ("custom", "", "2024-06-01", "start", "YYYY-MM-DD"),
    ("custom", "yesterday", "2024-06-01", "start", "is not a date"),
    ("custom", "2024-06-05", "2024-06-01", "end", "on or after the start"),
    ("custom", "2024-06-01", "2024-06-10", "end", "cannot be after today"),
    ("custom", "2022-01-01", "2024-06-01", "end", "at most 366 days"),
    ("custom", "1999-12-31", "2000-01-01", "start", "on or after 2000-01-01"),
])
def test_bad_periods_say_what_is_wrong(preset, first, last, field, words):
    errors = errors_of(lambda: parse(preset, first, last))
    assert words in errors[field]


def test_custom_period():
    period = parse("custom", "2024-02-28", "2024-03-01")
    assert period.days == [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)] and period.preset == ""


def test_scope_parsing():
    assert parse_scope(group="3", priority="high", group_ids={3}) == ReportScope(group_id=3, priority="high")
    assert parse_scope(group="", priority="", group_ids=set()) == ReportScope()
    errors = errors_of(lambda: parse_scope(group="4", priority="asap", group_ids={3}))
    assert set(errors) == {"group", "priority"}
    assert "group" in errors_of(lambda: parse_scope(group="1e9", priority="", group_ids={3}))


@pytest.mark.parametrize(("value", "expected"), [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+1", "'+1"), ("-1", "'-1"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("plain", "plain"), ("", ""), (-5, -5), (2.5, 2.5),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_table_csv_has_one_header_iso_dates_raw_numbers_and_no_formulas():
    table = Table("demo", "Demo", (Column("day", "Day", Kind.day), Column("who", "Who", Kind.text),
                                   Column("median", "Median", Kind.duration), Column("share", "Share", Kind.percent),
                                   Column("n", "Count"), Column("at", "At", Kind.moment)),
                  [(date(2024, 3, 31), '=cmd|" /C calc"!A0', 5400.0, 87.5, 1234, datetime(2024, 3, 31, 1, tzinfo=UTC)),
                   (date(2024, 4, 1), 'He said "hi",\nthen left', None, None, 0, None)])
    text = table_csv(table, BERLIN)
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Day", "Who", "Median (minutes)", "Share (%)", "Count", "At"]
    assert rows[1] == ["2024-03-31", "'=cmd|\" /C calc\"!A0", "90.0", "87.5", "1234", "2024-03-31T03:00:00+02:00"]
    assert rows[2] == ["2024-04-01", 'He said "hi",\nthen left', "", "", "0", ""]
    assert len(rows) == 3


def test_csv_filenames():
    table = Table("opened-solved", "x", (), [])
    period = Period(date(2024, 3, 1), date(2024, 3, 30), BERLIN)
    assert csv_filename(table, period) == "opened-solved-2024-03-01-to-2024-03-30.csv"
    assert csv_filename(Table("backlog", "x", (), [], snapshot=True), period) == "backlog-2024-03-30.csv"


def test_every_report_table_exports_and_unknown_names_are_refused(session):
    add_ticket(session, local(BERLIN, 2024, 6, 5, 9), csat_score=5, csat_comment="-1 great",
               csat_at=local(BERLIN, 2024, 6, 6, 9), status="resolved", resolved_at=local(BERLIN, 2024, 6, 6, 8))
    report = build_report(session, period=parse("7"), scope=ReportScope(), now=NOW)
    for name in TABLES:
        table = report.table(name)
        rows = list(csv.reader(io.StringIO(table_csv(table, BERLIN))))
        assert rows[0] == [c.csv_label for c in table.columns], name
        assert all(len(r) == len(rows[0]) for r in rows), name
    comments = list(csv.reader(io.StringIO(table_csv(report.table("csat-comments"), BERLIN))))
    assert comments[1][4] == "'-1 great"
    opened = list(csv.reader(io.StringIO(table_csv(report.table("opened-solved"), BERLIN))))
    assert opened[1:] == [[f"2024-06-0{d}", "1" if d == 5 else "0", "1" if d == 6 else "0"] for d in range(3, 10)]
    with pytest.raises(NotFound):
        report.table("nope")


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "—"), (20, "under 1 min"), (90, "2 min"), (3600, "1 h 00 min"), (5400, "1 h 30 min"),
    (47 * 3600 + 59 * 60, "47 h 59 min"), (50 * 3600, "2 d 2 h"),
])
def test_duration_text(seconds, text):
    assert duration_text(seconds) == text


def test_one_table_queries_only_its_own_figure(session):
    from sqlalchemy import event

    report = build_report(session, period=parse("30"), scope=ReportScope(), now=NOW)
    statements: list[str] = []

    def keep(conn, cursor, statement, parameters, context, many):
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", keep)
    try:
        report.table("backlog")
        report.table("backlog")  # computed once
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert len([s for s in statements if "FROM ticket" in s]) == 1
