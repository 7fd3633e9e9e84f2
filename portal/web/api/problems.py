"""Errors the API answers with: ``{"error": {"status", "title", "detail", "fields"?}}``, never a traceback."""

from __future__ import annotations

from flask import Response

from portal.web.errors import render_error


class ApiProblem(Exception):
    """Stop handling the request and answer with this error."""

    def __init__(self, status: int, detail: str, *, fields: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None, title: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.fields = fields
        self.headers = headers or {}
        self.title = title

    def response(self) -> Response:
        """The JSON error response."""
        extra: dict[str, object] = {"fields": self.fields} if self.fields is not None else {}
        if self.title:
            extra["title"] = self.title
        return render_error(self.status, self.detail, headers=self.headers, extra=extra)
