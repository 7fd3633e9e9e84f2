"""What the desk, member and staff ticket pages share: configuration, uploads and downloads."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, current_app, request, send_file

from portal.models import Attachment
from portal.services.tickets.attachments import Upload, path_of
from portal.services.tickets.context import TicketContext


def ticket_ctx() -> TicketContext:
    cached = current_app.extensions.get("portal.ticket_ctx")
    if cached is None:
        cached = current_app.extensions["portal.ticket_ctx"] = TicketContext.from_config(current_app.config)
    return cached


def uploads_from(field: str = "attachments") -> list[Upload]:
    """The files sent in a form field (empty file inputs are ignored)."""
    return [Upload(filename=f.filename or "", data=f.read()) for f in request.files.getlist(field) if f and f.filename]


def send_attachment(attachment: Attachment) -> Response:
    """Always a download, never rendered inline; sandboxed and sniff-proof (C26)."""
    response = send_file(path_of(attachment, ticket_ctx().storage), mimetype=attachment.content_type,
                         as_attachment=True, download_name=attachment.filename, max_age=0)
    ascii_name = attachment.filename.encode("ascii", "replace").decode().replace('"', "_")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(attachment.filename)}"
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
