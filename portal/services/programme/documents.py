"""Documents kept as human evidence for a requirement or a step, stored like ticket attachments."""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from portal import audit
from portal.errors import NotFound, ValidationFailed
from portal.models import ProgrammeDocument, User
from portal.services.tickets.attachments import Storage, Upload, check_upload


def storage_for(attachment_dir: str, max_mb: int) -> Storage:
    """Programme documents live in their own folder beside ticket attachments."""
    return Storage(root=Path(attachment_dir) / "programme", max_bytes=max_mb * 1024 * 1024)


def add_document(session: Session, upload: Upload, *, storage: Storage, requirement_key: str = "",
                 step_key: str = "", actor: User, now: datetime, ip: str = "") -> ProgrammeDocument:
    """Check the file, write it under a random name and record it for a requirement or a step."""
    if bool(requirement_key) == bool(step_key):
        raise ValidationFailed({"document": "A document belongs to one requirement or one step."})
    try:
        name, content_type = check_upload(upload, storage)
    except ValidationFailed as exc:
        raise ValidationFailed({"document": next(iter(exc.errors.values()))}) from None
    key = secrets.token_hex(16)
    folder = storage.root / key[:2]
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(upload.data)
    row = ProgrammeDocument(requirement_key=requirement_key, step_key=step_key, filename=name,
                            content_type=content_type, size=len(upload.data),
                            sha256=hashlib.sha256(upload.data).hexdigest(), storage_key=key, uploaded_at=now,
                            uploaded_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, "programme.document", actor=actor, target=row, ip=ip,
                 detail={"filename": name, "requirement": requirement_key, "step": step_key})
    session.commit()
    return row


def list_documents(session: Session, *, requirement_key: str = "", step_key: str = "") -> list[ProgrammeDocument]:
    """The documents of one requirement or one step, newest first."""
    query = select(ProgrammeDocument)
    if requirement_key:
        query = query.where(ProgrammeDocument.requirement_key == requirement_key)
    if step_key:
        query = query.where(ProgrammeDocument.step_key == step_key)
    return list(session.exec(query.order_by(ProgrammeDocument.id.desc())).all())  # type: ignore[union-attr]


def document_counts(session: Session) -> dict[str, int]:
    """How many documents each requirement and step has (keyed by requirement or step key)."""
    counts: dict[str, int] = {}
    for row in session.exec(select(ProgrammeDocument)).all():
        key = row.requirement_key or row.step_key
        counts[key] = counts.get(key, 0) + 1
    return counts


def document_file(session: Session, document_id: int, storage: Storage) -> tuple[ProgrammeDocument, Path]:
    """The document and the path of its file, or NotFound."""
    row = session.get(ProgrammeDocument, document_id)
    if row is None:
        raise NotFound("There is no such document.")
    path = storage.root / row.storage_key[:2] / row.storage_key
    if not path.is_file():
        raise NotFound("The file of this document is missing.")
    return row, path
