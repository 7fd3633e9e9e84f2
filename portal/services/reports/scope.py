"""Which tickets a report looks at: optional group and priority filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.errors import ValidationFailed
from portal.models import Priority, Ticket
from portal.services.reports.sql_time import unindexed


@dataclass(frozen=True)
class ReportScope:
    """Filters every figure of a report shares; None/"" mean all."""

    group_id: int | None = None
    priority: str = ""

    def conditions(self) -> list[Any]:
        """The WHERE terms for these filters."""
        found: list[Any] = []
        if self.group_id is not None:
            found.append(unindexed(Ticket.group_id) == self.group_id)
        if self.priority:
            found.append(unindexed(Ticket.priority) == self.priority)
        return found

    def apply(self, stmt: Any) -> Any:
        """The statement narrowed to these filters."""
        conditions = self.conditions()
        return stmt.where(*conditions) if conditions else stmt


def parse_scope(*, group: str, priority: str, group_ids: set[int]) -> ReportScope:
    """Filters from a report form, refusing unknown groups and priorities with a clear message."""
    errors: dict[str, str] = {}
    group_id: int | None = None
    group = group.strip()
    if group:
        if not group.isdigit() or len(group) > 9 or int(group) not in group_ids:
            errors["group"] = "Choose one of the groups, or all groups."
        else:
            group_id = int(group)
    priority = priority.strip()
    if priority and priority not in {p.value for p in Priority}:
        errors["priority"] = "Choose a priority: low, normal, high or urgent, or all priorities."
    if errors:
        raise ValidationFailed(errors)
    return ReportScope(group_id=group_id, priority=priority)
