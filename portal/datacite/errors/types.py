"""The typed DataCite error: one exception class per error class, each carrying our explanation and fix."""

from __future__ import annotations

from typing import Any

from portal.datacite.errors.catalogue import FAILURE_MODES, GENERIC_TEXT


class DataCiteError(Exception):
    """A failed DataCite call, classified; safe to show (it never holds credentials)."""

    error_class = "validation"
    default_retryable = False

    def __init__(
        self,
        *,
        key: str = "",
        status: int | None = None,
        title: str = "",
        source: str = "",
        errors: list[dict[str, Any]] | None = None,
        explanation: str | None = None,
        fix: str | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
        doi: str = "",
    ) -> None:
        mode = FAILURE_MODES.get(key)
        if key and mode is None:
            raise ValueError(f"unknown failure-mode key {key!r}")
        generic_explanation, generic_fix = GENERIC_TEXT[self.error_class]
        self.key = key
        self.status = status
        self.title = title
        self.source = source
        self.errors = list(errors or [])
        self.explanation = explanation or (mode.explanation if mode else generic_explanation)
        self.fix = fix or (mode.fix if mode else generic_fix)
        self.article = mode.article if mode else ""
        self.retryable = self.default_retryable if retryable is None else retryable
        self.retry_after = retry_after
        self.doi = doi
        super().__init__(self._message())

    def _message(self) -> str:
        status = f"HTTP {self.status}" if self.status is not None else "no answer"
        title = self.title or self.error_class
        return f"DataCite {status}: {title}"

    @property
    def credential_problem(self) -> bool:
        """True when the stored credential itself is the likely cause (flag it for attention)."""
        return self.error_class in ("auth", "permission")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(key={self.key!r}, status={self.status!r}, title={self.title!r})"


class AuthError(DataCiteError):
    error_class = "auth"


class PermissionDenied(DataCiteError):
    error_class = "permission"


class DuplicateDoi(DataCiteError):
    error_class = "duplicate"


class UrlDomainError(DataCiteError):
    error_class = "url_domain"


class ValidationError(DataCiteError):
    error_class = "validation"


class Schema3Error(DataCiteError):
    error_class = "schema3"


class XmlParseError(DataCiteError):
    error_class = "xml_parse"


class RateLimited(DataCiteError):
    error_class = "rate_limit"
    default_retryable = True


class OutageError(DataCiteError):
    error_class = "outage"
    default_retryable = True


class NotFound(DataCiteError):
    error_class = "not_found"


class MethodNotAllowed(DataCiteError):
    error_class = "method_not_allowed"


class PreconditionFailed(DataCiteError):
    error_class = "precondition"


ERROR_TYPES: dict[str, type[DataCiteError]] = {
    cls.error_class: cls
    for cls in (AuthError, PermissionDenied, DuplicateDoi, UrlDomainError, ValidationError, Schema3Error,
                XmlParseError, RateLimited, OutageError, NotFound, MethodNotAllowed, PreconditionFailed)
}


def make_error(error_class: str, **fields: Any) -> DataCiteError:
    """The DataCiteError subclass for an error class, built with the given fields."""
    try:
        cls = ERROR_TYPES[error_class]
    except KeyError:
        raise ValueError(f"unknown DataCite error class {error_class!r}") from None
    return cls(**fields)
