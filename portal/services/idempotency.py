"""Idempotency-Key records (draft-ietf-httpapi-idempotency-key-header, section 2.7; C28).

A request claims its key by inserting an in-flight row; the UNIQUE (token, key) constraint decides
between concurrent duplicates, never a check-then-insert. The winner runs and stores its response;
later requests with the same key and body get that response again; a different body is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal.errors import Conflict, DomainError
from portal.models import IdempotencyRecord, IdempotencyStatus

MAX_KEY_LENGTH = 255
MIN_RETENTION = timedelta(hours=24)
# A request still "in flight" after this long died with its worker; a retry may take the key over.
ABANDONED_AFTER = timedelta(minutes=5)
_CLAIM_ATTEMPTS = 3


class KeyReused(DomainError):
    """The key was used before for a different request (422 in the draft)."""

    status = 422


class KeyInFlight(Conflict):
    """The first request with this key is still running (409 in the draft)."""


@dataclass(frozen=True)
class Claim:
    """The right to run the request: the in-flight row this request inserted (or took over)."""

    record_id: int


@dataclass(frozen=True)
class StoredResponse:
    """The response of an earlier request with the same key and body, to be sent again."""

    status: int
    body: str
    location: str | None


def request_hash(method: str, path: str, body: Any) -> str:
    """SHA-256 over the method, the path and the body as canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(f"{method.upper()}\n{path}\n{canonical}".encode()).hexdigest()


def claim_key(session: Session, *, token_id: int, key: str, method: str, path: str, body: Any,
              now: datetime) -> Claim | StoredResponse:
    """Claim ``key`` for this request, or return the stored response of its earlier twin.

    Raises KeyReused when the key stood for another request and KeyInFlight while its first request runs.
    Commits: the in-flight row must be visible to concurrent requests before the work starts.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError("an idempotency key has 1 to 255 characters")
    fingerprint = request_hash(method, path, body)
    for _attempt in range(_CLAIM_ATTEMPTS):
        record = IdempotencyRecord(token_id=token_id, key=key, request_hash=fingerprint, method=method.upper(),
                                   path=path[:500], status=IdempotencyStatus.in_flight, created_at=now)
        session.add(record)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
        else:
            return Claim(record_id=record.id or 0)
        existing = session.exec(
            select(IdempotencyRecord).where(IdempotencyRecord.token_id == token_id, IdempotencyRecord.key == key)
        ).first()
        session.commit()  # end the read; the next step may write
        if existing is None:  # released between our insert and this read: try again
            continue
        if existing.request_hash != fingerprint:
            raise KeyReused("This Idempotency-Key was already used for a different request. "
                            "Use a new key for a new request.")
        if existing.status == IdempotencyStatus.done:
            return StoredResponse(status=existing.response_status or 200, body=existing.response_body or "",
                                  location=existing.response_location)
        if existing.created_at > now - ABANDONED_AFTER or not _take_over(session, existing, now):
            raise KeyInFlight("A request with this Idempotency-Key is still being processed. "
                              "Retry after it has finished.")
        return Claim(record_id=existing.id or 0)
    raise KeyInFlight("A request with this Idempotency-Key is being processed. Retry in a moment.")


def _take_over(session: Session, record: IdempotencyRecord, now: datetime) -> bool:
    """Claim an abandoned in-flight row; of two retries exactly one wins."""
    result = session.execute(
        update(IdempotencyRecord)
        .where(col(IdempotencyRecord.id) == record.id,
               col(IdempotencyRecord.status) == IdempotencyStatus.in_flight,
               col(IdempotencyRecord.created_at) == record.created_at)
        .values(created_at=now)
    )
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def complete_claim(session: Session, claim: Claim, *, status: int, body: str, location: str | None,
                   now: datetime) -> None:
    """Store the response of a claimed request, so retries with the same key replay it."""
    session.execute(
        update(IdempotencyRecord)
        .where(col(IdempotencyRecord.id) == claim.record_id)
        .values(status=IdempotencyStatus.done, response_status=status, response_body=body,
                response_location=(location or None) and location[:500], completed_at=now)
    )
    session.commit()


def release_claim(session: Session, claim: Claim) -> None:
    """Forget a claim whose request failed, so the client can retry with the same key."""
    session.rollback()
    session.execute(delete(IdempotencyRecord).where(col(IdempotencyRecord.id) == claim.record_id))
    session.commit()


def purge_idempotency(session: Session, *, now: datetime, older_than: timedelta = timedelta(hours=48)) -> int:
    """Delete records older than ``older_than`` (at least 24 hours, so keys are kept that long); returns how many."""
    if older_than < MIN_RETENTION:
        raise ValueError("idempotency records are kept for at least 24 hours")
    result = session.execute(delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < now - older_than))
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
