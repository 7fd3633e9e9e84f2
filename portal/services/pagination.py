"""Pages of query results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlmodel import Session

T = TypeVar("T")
MAX_PER_PAGE = 200


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    more: bool = False  # counted up to a cap: there are more than ``total`` (shown as "more than 10,000")

    @property
    def pages(self) -> int:
        """Pages known to exist (all of them unless ``more``)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or (self.more and len(self.items) == self.per_page)

    @property
    def first_index(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        if self.more:
            return (self.page - 1) * self.per_page + len(self.items)
        return min(self.total, self.page * self.per_page)


def clamp_page(page: int | None, per_page: int | None, default_per_page: int = 25) -> tuple[int, int]:
    """Page number and size within sane bounds, whatever the request said."""
    size = per_page if per_page and per_page > 0 else default_per_page
    return max(1, page or 1), min(size, MAX_PER_PAGE)


def paginate(session: Session, stmt: Any, *, page: int = 1, per_page: int = 25, scalars: bool = True) -> Page[Any]:
    """Run ``stmt`` for one page and count the whole result."""
    page, per_page = clamp_page(page, per_page)
    total = session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    last = max(1, -(-total // per_page))
    page = min(page, last)
    result = session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars().all() if scalars else result.all())
    return Page(items=items, total=total, page=page, per_page=per_page)
