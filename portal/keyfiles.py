"""The instance key files: the session signing key and the vault's key ring (both mode 0600)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from portal.vault import generate_key, new_key_id, write_key_ring


def ensure_key_files(secret_path: Path, ring_path: Path | None) -> list[str]:
    """Create whichever key file is missing; returns the paths made. Existing keys are never replaced."""
    made: list[str] = []
    secret_path.parent.mkdir(parents=True, exist_ok=True)
    if not secret_path.exists():
        fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48) + "\n")
        made.append(str(secret_path))
    if ring_path is not None and not ring_path.exists():
        key_id = new_key_id()
        write_key_ring(ring_path, {key_id: generate_key()}, key_id)
        made.append(str(ring_path))
    return made
