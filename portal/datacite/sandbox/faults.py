"""Fault injection: latency, 5xx answers with bodies DataCite's stack really sends, timeouts and 429s."""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from werkzeug.wrappers import Response

from portal.datacite.sandbox.responses import JSON_TYPE, decorate

# The recorded outage answer (search backend down): HTTP 500 whose body claims 400.
OUTAGE_BODY = {"status": 400, "title": "[503] {\n  \"message\": \"No server available to handle the request\"\n}\n"}
_NGINX_PAGE = "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
SERVER_ERRORS = (
    (500, JSON_TYPE, json.dumps(OUTAGE_BODY, separators=(",", ":"))),
    (502, "text/html", _NGINX_PAGE.format(code=502, reason="Bad Gateway")),
    (503, "text/html", _NGINX_PAGE.format(code=503, reason="Service Temporarily Unavailable")),
    (504, "text/html", _NGINX_PAGE.format(code=504, reason="Gateway Time-out")),
)
RATE_LIMITED = _NGINX_PAGE.format(code=429, reason="Too Many Requests")


@dataclass
class Faults:
    """What goes wrong, and how often; mutable while the sandbox runs."""

    latency_ms: int = 0
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    rate_limit_every: int = 0
    retry_after_seconds: int = 1
    seed: int | None = None
    timeout_seconds: float = 60.0
    rng: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "seed" and "rng" in self.__dict__:
            self.rng = random.Random(value)


class SimulatedTimeout(httpx.ReadTimeout):
    """Raised in-process (no socket to hold open): through httpx.WSGITransport the caller sees a read timeout."""


class FaultInjector:
    """Applies a Faults configuration to each request, counting requests as it goes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0

    def reset(self) -> None:
        """Forget how many requests were served (the rate limit counts from here)."""
        with self.lock:
            self.count = 0

    def before(self, faults: Faults | None, environ: dict[str, Any]) -> Response | None:
        """Count the request and return the response a fault replaces it with, or None to serve it."""
        with self.lock:
            self.count += 1
            number = self.count
            if faults is None:
                return None
            roll_timeout, roll_error, pick = faults.rng.random(), faults.rng.random(), faults.rng.randrange(len(SERVER_ERRORS))
        if faults.latency_ms > 0:
            time.sleep(faults.latency_ms / 1000)
        if faults.rate_limit_every > 0 and number % faults.rate_limit_every == 0:
            response = Response(RATE_LIMITED, status=429, content_type="text/html")
            response.headers["Retry-After"] = str(faults.retry_after_seconds)
            return response
        if roll_timeout < faults.timeout_rate:
            return _time_out(faults, environ)
        if roll_error < faults.error_rate:
            status, content_type, body = SERVER_ERRORS[pick]
            response = Response(body, status=status, content_type=content_type)
            if status == 500:
                decorate(response)
            return response
        return None


def _time_out(faults: Faults, environ: dict[str, Any]) -> Response:
    """Behave like a request that never finishes: hold the socket past the client's timeout, then drop it."""
    sock = environ.get("werkzeug.socket")
    if sock is None:
        raise SimulatedTimeout("the DataCite sandbox simulated a request that never finishes")
    time.sleep(faults.timeout_seconds)
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    # Writing this to the closed socket fails; werkzeug treats that as a dropped connection.
    return Response(status=504)
