"""Report tables as CSV files that are safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from zoneinfo import ZoneInfo

from portal.services.reports.period import Period
from portal.services.reports.tables import Table, raw

# A spreadsheet treats text starting with these as a formula (OWASP "CSV injection"); tab and CR too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str | int | float) -> str | int | float:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table_csv(table: Table, zone: ZoneInfo) -> str:
    """One header row, then the rows: ISO dates, unformatted numbers, CRLF line ends (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(c.csv_label) for c in table.columns])
    for row in table.rows:
        writer.writerow([safe_cell(raw(value, column.kind, zone)) for value, column in zip(row, table.columns, strict=True)])
    return out.getvalue()


def csv_filename(table: Table, period: Period | None) -> str:
    """A download name saying what and when, e.g. ``opened-solved-2024-03-01-to-2024-03-30.csv``."""
    stem = re.sub(r"[^a-z0-9]+", "-", table.name.lower()).strip("-") or "report"
    if period is None:
        return f"{stem}.csv"
    if table.snapshot:
        return f"{stem}-{period.last.isoformat()}.csv"
    return f"{stem}-{period.first.isoformat()}-to-{period.last.isoformat()}.csv"
