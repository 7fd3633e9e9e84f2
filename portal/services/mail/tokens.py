"""Signed thread tokens: every Message-ID we send names its ticket with an HMAC, so a reference to it
threads a reply back, and a made-up reference does nothing."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

TOKEN = re.compile(r"<?rsp\.(\d{1,12})\.([0-9a-f]{16})\.([0-9a-f]{24})@[^>\s]+>?", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]{1,245}>")


def thread_key(secret_key: str) -> bytes:
    """The HMAC key for thread tokens, derived from the app's secret key (never the key itself)."""
    return hmac.new(secret_key.encode(), b"portal.mail.thread-token.v1", hashlib.sha256).digest()


def _mac(key: bytes, ticket_id: int, nonce: str) -> str:
    return hmac.new(key, f"{ticket_id}.{nonce}".encode(), hashlib.sha256).hexdigest()[:24]


def signed_message_id(*, ticket_id: int, key: bytes, domain: str) -> str:
    """A fresh Message-ID that carries the ticket number and its HMAC."""
    nonce = secrets.token_hex(8)
    return f"<rsp.{ticket_id}.{nonce}.{_mac(key, ticket_id, nonce)}@{domain}>"


def verified_ticket(message_id: str, key: bytes) -> int | None:
    """The ticket a Message-ID of ours names, or None when it is not ours or its HMAC is wrong."""
    match = TOKEN.search(message_id)
    if match is None or not key:
        return None
    ticket_id, nonce, mac = int(match.group(1)), match.group(2).lower(), match.group(3).lower()
    return ticket_id if hmac.compare_digest(mac, _mac(key, ticket_id, nonce)) else None


def message_ids(*values: str) -> list[str]:
    """Every ``<id>`` in In-Reply-To/References values, in order, without repeats."""
    found: list[str] = []
    for value in values:
        for mid in MESSAGE_ID.findall(value or ""):
            if mid not in found:
                found.append(mid)
    return found


def ticket_from_references(ids: Iterable[str], key: bytes) -> int | None:
    """The newest verified ticket among the referenced ids (In-Reply-To first, then References newest first)."""
    for mid in ids:
        ticket_id = verified_ticket(mid, key)
        if ticket_id is not None:
            return ticket_id
    return None
