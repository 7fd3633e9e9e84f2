"""Helpdesk reports: per-day series in the viewer's zone, SLA attainment, backlog, workload and CSAT.

Every function takes ``now`` and a time zone (through a ``Period``) and aggregates in SQL: per-day counts group
by a local-date expression that works on SQLite and PostgreSQL; only first-response percentiles are computed in
Python, over a two-column projection of the period's tickets.
"""
