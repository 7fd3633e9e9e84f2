"""Helpers for helpdesk tests."""

from __future__ import annotations

import tempfile
from pathlib import Path

from portal.services.tickets.attachments import Storage
from portal.services.tickets.context import TicketContext
from portal.services.tickets.notify import MailContext

_state = {"root": Path(tempfile.gettempdir()) / "portal-test-attachments"}


def use_attachment_root(root: Path) -> None:
    """Point the factories at the attachment folder of the app under test."""
    _state["root"] = root


def ctx_for_tests(root: Path | None = None) -> TicketContext:
    return TicketContext(mail=MailContext(base_url="http://localhost", site_name="RSP Portal"),
                         storage=Storage(root=root or _state["root"], max_bytes=10 * 1024 * 1024))
