"""The one place services call DataCite from: a client per repository target, every call recorded.

Each logical call leaves one DataCiteCall row with who, when, which repository, the operation, the
request line of its HTTP attempts, the status or error class, the duration and a short summary. Rows are
committed at once, so a call is on record whatever happens to the work around it; and the session's
transaction is ended before each call, so no database lock is held while DataCite is being waited for.
Nothing recorded here ever holds a credential or a body.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import httpx
from sqlmodel import Session, select

from portal.datacite import Attempt, BaseURLRefused, DataCiteClient, DataCiteError, client_for
from portal.datacite.retry import RetryPolicy
from portal.errors import DomainError
from portal.models import DataCiteCall, Repository, User
from portal.models.types import utcnow
from portal.services.pagination import Page, paginate
from portal.settings import ConfigError

T = TypeVar("T")

# Pages wait for these calls: fewer and shorter retries than background jobs get.
INTERACTIVE_RETRY = RetryPolicy(attempts=3, base=0.5, cap=2.0, total=8.0)
TARGET_LABELS = {"production": "DataCite production", "test": "DataCite test system",
                 "sandbox": "offline DataCite sandbox"}


class DataCiteUnreachable(DomainError):
    """The portal is not set up to reach this repository's DataCite system; the message says why."""

    status = 503


@dataclass(frozen=True)
class Connector:
    """How services reach DataCite: the app's configuration, plus a transport in tests or for an in-process sandbox."""

    config: Mapping[str, Any]
    transport: httpx.BaseTransport | None = None
    retry: RetryPolicy = INTERACTIVE_RETRY

    def client(self, target: str, observer: Callable[[Attempt], None]) -> DataCiteClient:
        """A client for one DataCite system, reporting its attempts to ``observer``."""
        try:
            return client_for(self.config, target, transport=self.transport, observer=observer,  # type: ignore[arg-type]
                              retry=self.retry)
        except (ConfigError, BaseURLRefused) as exc:
            raise DataCiteUnreachable(f"The portal cannot call the {TARGET_LABELS.get(target, target)}: {exc}") from None


@dataclass
class Caller:
    """Who a call is made for: a signed-in user, or a label (a hand-over link, the demo seed)."""

    user: User | None = None
    label: str = ""

    @property
    def name(self) -> str:
        """How call records and audit events name the caller (the e-mail address of a user)."""
        return (self.label or getattr(self.user, "email", "") or "system")[:254]

    @property
    def display(self) -> str:
        """How a transcript names the caller: "Name (e-mail)" for a user."""
        if self.user is not None and not self.label:
            return f"{self.user.name} ({self.user.email})"
        return self.name


@dataclass
class RecordedConnection:
    """A client for one repository's DataCite system whose every call is recorded."""

    session: Session
    repository: Repository
    caller: Caller
    client: DataCiteClient
    clock: Callable[[], datetime] = utcnow
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def target(self) -> str:
        return self.client.environment

    def call(self, operation: str, action: Callable[[DataCiteClient], T], *, doi: str = "",
             with_credentials: bool = False, summarise: Callable[[T], str] = lambda _result: "ok") -> T:
        """Run one client call and record it; DataCite's own errors and refused input are re-raised."""
        self.session.commit()
        self.attempts.clear()
        started_at = self.clock()
        began = time.perf_counter()
        try:
            result = action(self.client)
        except DataCiteError as err:
            self._record(operation, started_at, began, doi=doi, with_credentials=with_credentials, ok=False,
                         status=err.status, error_class=err.error_class, summary=err.title or err.error_class)
            raise
        except ValueError as err:  # refused before sending: a malformed DOI, a query DataCite would reject
            self._record(operation, started_at, began, doi=doi, with_credentials=with_credentials, ok=False,
                         status=None, error_class="invalid_request", summary=str(err))
            raise
        self._record(operation, started_at, began, doi=doi, with_credentials=with_credentials, ok=True,
                     status=None, error_class="", summary=summarise(result))
        return result

    def _record(self, operation: str, started_at: datetime, began: float, *, doi: str, with_credentials: bool,
                ok: bool, status: int | None, error_class: str, summary: str) -> None:
        last = self.attempts[-1] if self.attempts else None
        request = self.attempts[0].method + " " + self.attempts[0].path if self.attempts else "(not sent)"
        if len({f"{a.method} {a.path}" for a in self.attempts}) > 1:
            request += f" (+{len(self.attempts) - 1} more)"
        row = DataCiteCall(
            created_at=started_at, repository_id=self.repository.id, user_id=getattr(self.caller.user, "id", None),
            actor=self.caller.name, operation=operation[:40], target=self.target, request=request[:500],
            doi=doi[:300], with_credentials=with_credentials, attempts=len(self.attempts),
            status=status if status is not None else (last.status if last else None),
            error_class=error_class or (last.failure if last and last.failure else ""), ok=ok,
            duration_ms=round((time.perf_counter() - began) * 1000), summary=summary[:500],
        )
        self.session.add(row)
        self.session.commit()

    @property
    def last_status(self) -> int | None:
        """The HTTP status of the latest attempt (None when it got no answer)."""
        return self.attempts[-1].status if self.attempts else None

    def close(self) -> None:
        """Close the client's connection pool."""
        self.client.close()

    def __enter__(self) -> RecordedConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def connect(session: Session, connector: Connector, repository: Repository, *, caller: Caller,
            clock: Callable[[], datetime] = utcnow) -> RecordedConnection:
    """A recorded connection to the DataCite system the repository belongs to (production, test or sandbox)."""
    attempts: list[Attempt] = []
    client = connector.client(repository.datacite_target, attempts.append)
    return RecordedConnection(session=session, repository=repository, caller=caller, client=client, clock=clock,
                              attempts=attempts)


def list_calls(session: Session, repository: Repository, *, page: int = 1, per_page: int = 25) -> Page[DataCiteCall]:
    """The repository's recorded DataCite calls, newest first."""
    stmt = (select(DataCiteCall).where(DataCiteCall.repository_id == repository.id)
            .order_by(DataCiteCall.created_at.desc(), DataCiteCall.id.desc()))  # type: ignore[attr-defined,union-attr]
    return paginate(session, stmt, page=page, per_page=per_page)
