"""Logging: one line per record, never a secret."""

from __future__ import annotations

import logging
import re

from flask import Flask

_AUTH_HEADER = re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(basic|bearer)\s+[^\s'\",]+")
_SECRETISH = re.compile(r"(?i)((?:password|passwd|secret|token|api[_-]?key)['\"]?\s*[:=]\s*['\"]?)[^\s'\",&]+")


def redact(text: str) -> str:
    """The text with Authorization headers and password-like values masked."""
    return _SECRETISH.sub(r"\1***", _AUTH_HEADER.sub(r"\1\2 ***", text))


class RedactingFilter(logging.Filter):
    """Masks Authorization headers and password-like values in any log message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        cleaned = cleaned.replace("\r", "\\r").replace("\n", "\\n") if record.exc_info is None else cleaned
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def init_app(app: Flask) -> None:
    level = getattr(logging, str(app.config["LOG_LEVEL"]).upper(), logging.INFO)
    root = logging.getLogger("portal")
    root.setLevel(level)
    if not any(isinstance(f, RedactingFilter) for f in root.filters):
        root.addFilter(RedactingFilter())
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).addFilter(RedactingFilter())
