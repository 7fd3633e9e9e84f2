"""API endpoints that exist only in tests: scoped, slow or failing on demand, taking a query string.

``install(app)`` registers them on an app that has not served a request yet; ``controls`` steers them.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Blueprint, Flask, g

from portal.errors import NotFound, ValidationFailed
from portal.security import csrf
from portal.services.api_tokens import TICKETS_READ, TICKETS_WRITE
from portal.web.api.auth import api_route
from portal.web.api.schemas import Schema, boolean, integer, string

bp = Blueprint("apitest", __name__, url_prefix="/api/test")
TOKEN_ENDPOINTS = ("apitest.list_items", "apitest.create_item", "apitest.get_item", "apitest.undecorated")


class Controls:
    """Counters and switches shared by the test and the handler threads."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.calls = 0
        self.lock = threading.Lock()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()
        self.delay = 0.0
        self.fail = False


controls = Controls()

ITEM = Schema("TestItem", {
    "title": string(required=True, max_length=50),
    "count": integer(minimum=0, maximum=10),
})
CREATED = Schema("TestCreated", {
    "id": integer(required=True, minimum=1),
    "title": string(required=True, max_length=50),
    "count": integer(minimum=0, maximum=10),
    "by": integer(required=True),
})
LIST_QUERY = Schema("TestQuery", {
    "page": integer(minimum=1, maximum=1000, default=1),
    "state": string(max_length=10, choices=("open", "closed")),
    "mine": boolean(),
})


@api_route(bp, "/items", ["GET"], scopes={TICKETS_READ}, summary="List test items", query_schema=LIST_QUERY)
def list_items(query: dict[str, Any]) -> object:
    return {"query": query}


@api_route(bp, "/items", ["POST"], scopes={TICKETS_WRITE}, summary="Create a test item", request_schema=ITEM,
           response_schema=CREATED, idempotent=True, status=201)
def create_item(body: dict[str, Any]) -> object:
    controls.entered.set()
    controls.release.wait(10)
    time.sleep(controls.delay)
    with controls.lock:
        controls.calls += 1
        number = controls.calls
    if controls.fail:
        raise RuntimeError("injected failure")
    if body["title"] == "refused":
        raise ValidationFailed({"title": "is refused by the service"})
    return {"id": number, **body, "by": g.api_user.id}, 201, {"Location": f"/api/test/items/{number}"}


@api_route(bp, "/items/<int:item_id>", ["GET"], scopes={TICKETS_READ}, summary="One test item")
def get_item(item_id: int) -> object:
    if item_id > 1000:
        raise NotFound("No such item.")
    return {"id": item_id}


def undecorated() -> object:
    return {"secret": "reached without a token"}


bp.add_url_rule("/undecorated", view_func=undecorated)


def install(app: Flask) -> Controls:
    """Register the test endpoints on ``app`` (before its first request) and reset the controls."""
    app.register_blueprint(bp)
    csrf.exempt(bp)
    controls.reset()
    return controls
