"""Domain errors that services raise and views turn into pages or JSON."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: the message is safe to show to the user who caused it."""

    status = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(DomainError):
    """Input that breaks a rule; ``errors`` maps a field name to what is wrong with it."""

    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Throttled(DomainError):
    """Too many attempts; ``retry_after`` is in seconds."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
