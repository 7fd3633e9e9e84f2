"""HTTP responses the way DataCite's REST API sends them: JSON bodies, error shapes, and the usual headers."""

from __future__ import annotations

import json
import uuid
from typing import Any

from werkzeug.wrappers import Response

JSON_TYPE = "application/json; charset=utf-8"
NOT_FOUND = "The resource you are looking for doesn't exist."
BAD_CREDENTIALS = "Bad credentials."
FORBIDDEN = "You are not authorized to access this resource."
ALLOW_NON_DRAFT = "HEAD, GET, POST, PATCH, PUT, OPTIONS"
# Headers every lupo response carries (CORS is always on; Authorization is exposed).
COMMON_HEADERS = {
    "Cache-Control": "max-age=0, private, must-revalidate",
    "Vary": "Accept,Accept-Encoding",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Permitted-Cross-Domain-Policies": "none",
    "X-XSS-Protection": "0",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Accept,Access-Control-Allow-Origin,Access-Control-Expose-Headers,"
    "Access-Control-Allow-Methods,Access-Control-Allow-Headers,Authorization,Cache-Control,Content-Type,DNT,"
    "If-Modified-Since,Keep-Alive,Origin,User-Agent,X-Mx-ReqToken,X-Requested-With",
    "Access-Control-Expose-Headers": "Authorization",
}


class ApiError(Exception):
    """An error DataCite answers in the exception shape ``{"errors":[{"status":"<code>","title":...}]}``."""

    def __init__(self, status: int, title: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.headers = headers or {}

    def response(self) -> Response:
        """The error as a response."""
        return json_response({"errors": [{"status": str(self.status), "title": self.title}]}, self.status, self.headers)


class Invalid(Exception):
    """Model validation failed: 422 with ``{"errors":[{"source","title","uid"}]}``."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(e["title"] for e in errors))
        self.errors = errors

    def response(self) -> Response:
        """The errors as a response."""
        return json_response({"errors": self.errors}, 422)


class SearchFailed(Exception):
    """The search backend rejected the request: 400 with an ``errors`` *object*, not an array."""

    def __init__(self, title: str) -> None:
        super().__init__(title)
        self.title = title

    def response(self) -> Response:
        """The error as a response."""
        return json_response({"errors": {"title": self.title}}, 400)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A compact UTF-8 JSON response with lupo's headers."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    response = Response(text, status=status, content_type=JSON_TYPE)
    decorate(response, headers)
    return response


def text_response(text: str, status: int = 200, content_type: str = "text/plain; charset=utf-8") -> Response:
    """A plain response (heartbeat, raw XML)."""
    response = Response(text, status=status, content_type=content_type)
    decorate(response)
    return response


def empty_response(status: int = 204) -> Response:
    """No body and no Content-Type, as DataCite's 204 after deleting a draft."""
    response = Response(status=status)
    response.headers.pop("Content-Type", None)
    decorate(response)
    response.headers["Cache-Control"] = "no-cache"
    return response


def decorate(response: Response, headers: dict[str, str] | None = None) -> None:
    """Add the common headers, a request id, and any extra ones."""
    for key, value in COMMON_HEADERS.items():
        response.headers.setdefault(key, value)
    response.headers["X-Request-Id"] = str(uuid.uuid4())
    if response.status_code >= 400:
        response.headers["Cache-Control"] = "no-cache"
    for key, value in (headers or {}).items():
        response.headers[key] = value
