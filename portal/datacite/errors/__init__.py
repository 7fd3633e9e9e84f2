"""DataCite failures classified, each with a stable key, an explanation and a fix."""

from portal.datacite.errors.catalogue import ERROR_CLASSES, FAILURE_MODES, FailureMode
from portal.datacite.errors.classify import classify_response, classify_text, error_entries, parse_retry_after
from portal.datacite.errors.types import (
    ERROR_TYPES,
    AuthError,
    DataCiteError,
    DuplicateDoi,
    MethodNotAllowed,
    NotFound,
    OutageError,
    PermissionDenied,
    PreconditionFailed,
    RateLimited,
    Schema3Error,
    UrlDomainError,
    ValidationError,
    XmlParseError,
    make_error,
)

__all__ = [
    "ERROR_CLASSES", "ERROR_TYPES", "FAILURE_MODES", "AuthError", "DataCiteError", "DuplicateDoi", "FailureMode",
    "MethodNotAllowed", "NotFound", "OutageError", "PermissionDenied", "PreconditionFailed", "RateLimited",
    "Schema3Error", "UrlDomainError", "ValidationError", "XmlParseError", "classify_response", "classify_text",
    "error_entries", "make_error", "parse_retry_after",
]
