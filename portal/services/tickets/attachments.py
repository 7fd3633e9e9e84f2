"""Attachments: checked by size, extension and content, stored outside static under generated names (C26)."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from portal.errors import NotFound, ValidationFailed
from portal.models import Attachment, Ticket, User

MAX_FILES = 5

# extension -> (content type, magic prefixes or None for text files)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".txt": ("text/plain", None),
    ".log": ("text/plain", None),
    ".csv": ("text/csv", None),
    ".json": ("application/json", None),
    ".xml": ("application/xml", None),
    ".md": ("text/markdown", None),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".zip": ("application/zip", (b"PK\x03\x04", b"PK\x05\x06")),
}


@dataclass
class Upload:
    """A file as received, before it is checked."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Storage:
    root: Path
    max_bytes: int


def _clean_name(filename: str) -> str:
    name = os.path.basename(filename.replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    return name[:255] or "attachment"


def check_upload(upload: Upload, storage: Storage) -> tuple[str, str]:
    """(clean filename, content type), or ValidationFailed saying what is wrong with the file."""
    name = _clean_name(upload.filename)
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED:
        kinds = ", ".join(sorted(ALLOWED))
        raise ValidationFailed({"attachments": f"{name}: this kind of file is not accepted. Accepted: {kinds}."})
    if not upload.data:
        raise ValidationFailed({"attachments": f"{name} is empty."})
    if len(upload.data) > storage.max_bytes:
        limit = storage.max_bytes // (1024 * 1024)
        raise ValidationFailed({"attachments": f"{name} is larger than {limit} MB."})
    content_type, magic = ALLOWED[ext]
    if magic is not None:
        if not any(upload.data.startswith(m) for m in magic):
            raise ValidationFailed({"attachments": f"{name} does not contain what its name says ({ext})."})
    else:
        try:
            upload.data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed({"attachments": f"{name} is not a UTF-8 text file."}) from None
        if b"\x00" in upload.data:
            raise ValidationFailed({"attachments": f"{name} is not a text file."})
    return name, content_type


def check_uploads(uploads: list[Upload], storage: Storage) -> None:
    if len(uploads) > MAX_FILES:
        raise ValidationFailed({"attachments": f"Attach at most {MAX_FILES} files to one message."})
    for upload in uploads:
        check_upload(upload, storage)


def store(session: Session, ticket: Ticket, upload: Upload, *, storage: Storage, message_id: int | None,
          uploader: User | None) -> Attachment:
    """Write the file under a random name and record it (the caller commits)."""
    name, content_type = check_upload(upload, storage)
    key = secrets.token_hex(16)
    folder = storage.root / key[:2]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / key
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(upload.data)
    attachment = Attachment(ticket_id=ticket.id or 0, message_id=message_id, filename=name, content_type=content_type,
                            size=len(upload.data), sha256=hashlib.sha256(upload.data).hexdigest(), storage_key=key,
                            uploaded_by_id=getattr(uploader, "id", None))
    session.add(attachment)
    return attachment


def path_of(attachment: Attachment, storage: Storage) -> Path:
    path = storage.root / attachment.storage_key[:2] / attachment.storage_key
    if not path.is_file():
        raise NotFound("The file of this attachment is missing.")
    return path
