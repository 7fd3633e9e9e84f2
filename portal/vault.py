"""AES-GCM key ring for every secret stored in the database.

A sealed value reads ``v1.<key id>.<base64url(nonce || ciphertext || tag)>``. The associated data
binds it to its table, row, field and key id, so a value copied to another row or field, or
altered by one byte, fails to open instead of yielding garbage (C16, C17). Keys live outside the
database, in a 0600 JSON file: ``{"primary": "<id>", "keys": {"<id>": "<base64 32 bytes>"}}``.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = "v1"
NONCE_BYTES = 12


class VaultError(Exception):
    """A value cannot be sealed or opened; the message never contains the value."""


class Secret:
    """A plaintext secret that will not show itself in logs, reprs or templates."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The plaintext: call only where it leaves for its one destination."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __html__(self) -> str:
        return "***"

    def __bool__(self) -> bool:
        return bool(self._value)


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Binding:
    """Where a sealed value lives: its table, row and field."""

    table: str
    row_id: int
    field: str

    @classmethod
    def for_row(cls, row: object, field: str) -> Binding:
        """The binding of a model instance's field (the row must have its id)."""
        row_id = getattr(row, "id", None)
        if row_id is None:
            raise VaultError("flush the row before sealing: the binding needs its id")
        return cls(row.__tablename__, int(row_id), field)

    def aad(self, key_id: str) -> bytes:
        return f"{self.table}:{self.row_id}:{self.field}:{key_id}".encode()

    def __str__(self) -> str:
        return f"{self.table}#{self.row_id}.{self.field}"


class Vault:
    """Seals and opens values with a key ring whose primary key encrypts new values."""

    def __init__(self, keys: dict[str, bytes], primary: str) -> None:
        if primary not in keys:
            raise VaultError(f"the primary key id {primary!r} is not in the key ring")
        for key_id, key in keys.items():
            if len(key) != 32:
                raise VaultError(f"key {key_id!r} must be 32 bytes (AES-256), not {len(key)}")
            if "." in key_id or not key_id:
                raise VaultError(f"key id {key_id!r} must be non-empty and contain no dot")
        self._keys = dict(keys)
        self.primary = primary

    @property
    def key_ids(self) -> list[str]:
        return list(self._keys)

    def seal(self, plaintext: str, binding: Binding) -> str:
        """Encrypt under the primary key with a fresh random nonce."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self._keys[self.primary]).encrypt(nonce, plaintext.encode(), binding.aad(self.primary))
        return f"{FORMAT}.{self.primary}.{_b64e(nonce + sealed)}"

    def open(self, blob: str, binding: Binding) -> Secret:
        """Decrypt a sealed value; raise VaultError if it is not exactly what was sealed here."""
        key_id = key_id_of(blob)
        key = self._keys.get(key_id)
        if key is None:
            raise VaultError(f"{binding}: sealed with key {key_id!r}, which is not in the key ring")
        try:
            raw = _b64d(blob.split(".", 2)[2])
            plaintext = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], binding.aad(key_id))
        except (InvalidTag, ValueError, IndexError):
            raise VaultError(f"{binding}: does not decrypt (altered, moved from another row, or wrong key)") from None
        return Secret(plaintext.decode())

    def needs_rotation(self, blob: str) -> bool:
        return key_id_of(blob) != self.primary


def key_id_of(blob: str) -> str:
    """The key id a sealed value names, or raise VaultError for a malformed value."""
    parts = blob.split(".", 2)
    if len(parts) != 3 or parts[0] != FORMAT:
        raise VaultError("not a sealed value of format v1")
    return parts[1]


def new_key_id() -> str:
    return f"k{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"


def read_key_ring(text: str) -> tuple[dict[str, bytes], str, list[str]]:
    """Parse the JSON key ring; returns (keys, primary id, the encoded keys)."""
    try:
        data = json.loads(text)
        encoded = {str(k): str(v) for k, v in data["keys"].items()}
        primary = str(data["primary"])
        keys = {k: _b64d(v) for k, v in encoded.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise VaultError('the key ring must be JSON {"primary": ID, "keys": {ID: base64 key}}') from None
    return keys, primary, list(encoded.values())


def write_key_ring(path: Path, keys: dict[str, bytes], primary: str) -> None:
    """Write the key ring atomically with mode 0600."""
    body = json.dumps({"primary": primary, "keys": {k: _b64e(v) for k, v in keys.items()}}, indent=2)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(body + "\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def generate_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)
