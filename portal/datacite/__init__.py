"""The only code that speaks to DataCite: client, error classes, schema catalog, and the offline sandbox.

Import what callers need from here::

    from portal.datacite import Credentials, client_for
    with client_for(app.config, "test") as datacite:
        doi = datacite.create_draft(credentials, {"url": "https://example.org"}, prefix="10.1234")
"""

from portal.datacite.client import DataCiteClient
from portal.datacite.credentials import Credentials
from portal.datacite.environments import BaseURLRefused, Environment, user_agent
from portal.datacite.errors import DataCiteError, classify_response, classify_text
from portal.datacite.factory import client_for
from portal.datacite.queries import QueryError
from portal.datacite.ratelimit import RateLimiter, shared_limiter
from portal.datacite.results import Doi, DoiPage, Facet, Facets, Repository, Verification
from portal.datacite.retry import CircuitBreaker, RetryPolicy
from portal.datacite.sender import Attempt, Observer

__all__ = [
    "Attempt", "BaseURLRefused", "CircuitBreaker", "Credentials", "DataCiteClient", "DataCiteError", "Doi", "DoiPage",
    "Environment", "Facet", "Facets", "Observer", "QueryError", "RateLimiter", "Repository", "RetryPolicy", "Verification",
    "classify_response", "classify_text", "client_for", "shared_limiter", "user_agent",
]
