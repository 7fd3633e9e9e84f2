"""Password hashing with argon2id, and the password policy."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MAX_LENGTH = 1024

_PROFILES = {
    # RFC 9106 low-memory profile (argon2-cffi's default): t=3, 64 MiB, p=4.
    "standard": dict(time_cost=3, memory_cost=65536, parallelism=4),
    # For the test suite only; production refuses it.
    "fast": dict(time_cost=1, memory_cost=1024, parallelism=1),
}


@cache
def hasher(profile: str = "standard") -> PasswordHasher:
    """The argon2id hasher for a parameter profile."""
    return PasswordHasher(type=Type.ID, **_PROFILES[profile])


def hash_password(password: str, profile: str = "standard") -> str:
    return hasher(profile).hash(password)


def verify_password(stored: str | None, password: str, profile: str = "standard") -> tuple[bool, str | None]:
    """Check a password; returns (ok, new hash when the stored one has outdated parameters)."""
    if not stored:
        # Spend the same time as a real check so timing does not reveal the account.
        hasher(profile).hash(password)
        return False, None
    h = hasher(profile)
    try:
        h.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    return True, (h.hash(password) if h.check_needs_rehash(stored) else None)


@cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "common_passwords.txt"
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def password_problem(password: str, *, min_length: int, personal: tuple[str, ...] = ()) -> str | None:
    """What is wrong with a new password, or None. Length and known-bad lists; no composition rules."""
    if len(password) < min_length:
        return f"Use at least {min_length} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in _common_passwords():
        return "This password is on a list of commonly used passwords; choose another."
    if len(set(password)) <= 2:
        return "This password repeats one or two characters; choose another."
    for word in personal:
        if word and len(word) >= 4 and word.lower() in lowered and len(password) - len(word) < min_length:
            return "Do not build the password from your name or email address."
    return None
