"""Service levels: business calendars, SLA policies, business-time arithmetic and ticket clocks.

- ``business_time``: CalendarSpec and add/between/is/next on business time (DST-correct).
- ``clocks``: a ticket's first-response, next-update and resolution clocks as pure transitions.
- ``calendars``, ``policies``: validated, audited edits; ``policy_for`` and the cached ``calendar_spec``.
- ``ical``: holidays from an iCalendar file.
- ``seed``: the default calendar and policies.
"""
