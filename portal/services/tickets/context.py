"""What ticket services need from the configuration, gathered once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal.services.tickets.attachments import Storage
from portal.services.tickets.notify import MailContext


@dataclass(frozen=True)
class TicketContext:
    mail: MailContext
    storage: Storage
    datacite_support_email: str = "support@datacite.org"

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> TicketContext:
        root = Path(cfg.get("ATTACHMENT_DIR") or Path(cfg["INSTANCE_PATH"]) / "attachments")
        return cls(
            mail=MailContext(base_url=cfg["BASE_URL"].rstrip("/"), site_name=cfg["SITE_NAME"],
                             echo=bool(cfg.get("MAIL_PRINT"))),
            storage=Storage(root=root, max_bytes=int(cfg.get("ATTACHMENT_MAX_MB", 10)) * 1024 * 1024),
            datacite_support_email=cfg.get("DATACITE_SUPPORT_EMAIL") or "support@datacite.org",
        )
