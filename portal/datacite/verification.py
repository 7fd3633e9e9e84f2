"""Reading DataCite's answer to ``GET /clients/{id}`` as a verdict on a credential.

DataCite has no "check my password" endpoint. Two signs show that a request was authenticated as the
repository: the ``X-Credential-Username`` header naming it, and the owner-only attributes
(``contactEmail``, ``hasPassword``) in the record. A wrong password is not refused on reads: DataCite
quietly treats the caller as anonymous, so both signs are simply missing.
"""

from __future__ import annotations

from collections.abc import Mapping

from portal.datacite.credentials import Credentials
from portal.datacite.errors import AuthError, DataCiteError, NotFound, PermissionDenied
from portal.datacite.results import Repository, Verification

_OTHER_SYSTEM = {"production": "test", "test": "production", "sandbox": "production or test"}


def judge_answer(environment: str, credentials: Credentials, path: str, headers: Mapping[str, str],
                 repository: Repository) -> Verification:
    """The verdict from a 200 answer: authenticated as this repository, as someone else, or anonymous."""
    expected = credentials.repository_id.strip().lower()
    username = (headers.get("X-Credential-Username") or "").strip().lower()
    kind = "API key" if credentials.is_api_key else "password"
    if username and username != expected:
        return Verification(
            ok=False, repository=repository, checked_via=f"GET {path}: X-Credential-Username",
            reason=f"DataCite accepted the {kind}, but it belongs to {username.upper()}, not "
            f"{expected.upper()}. Save the {kind} of {expected.upper()} instead.",
        )
    if username == expected:
        via = f"GET {path}: X-Credential-Username"
    elif repository.owner_view:
        via = f"GET {path}: owner-only fields shown"
    else:
        return Verification(
            ok=False, repository=repository, checked_via=f"GET {path}: anonymous view",
            reason=f"DataCite did not accept the {kind} for {expected.upper()} and answered as it does for "
            f"anyone. Check the {kind} in the {environment} Fabrica; credentials of the "
            f"{_OTHER_SYSTEM.get(environment, 'other')} system do not work here.",
        )
    if repository.is_active is False:
        reason = (f"The {kind} is valid, but repository {expected.upper()} is inactive: DataCite will refuse "
                  "to create or change DOIs until it is reactivated.")
    else:
        reason = f"DataCite accepted the {kind} for {expected.upper()} in the {environment} system."
    return Verification(ok=True, reason=reason, repository=repository, checked_via=via)


def judge_refusal(environment: str, credentials: Credentials, path: str, error: DataCiteError) -> Verification:
    """The verdict when DataCite refused the read: bad credentials, no permission, or no such repository."""
    repository_id = credentials.repository_id.strip().upper()
    via = f"GET {path}: HTTP {error.status}"
    if isinstance(error, NotFound):
        reason = (f"DataCite's {environment} system has no repository {repository_id}. Test and production are "
                  "separate: check the environment, and that this is the repository ID, not the member ID.")
    elif isinstance(error, AuthError):
        reason = f"DataCite refused the credentials for {repository_id} ({error.title or 'Bad credentials'})."
    elif isinstance(error, PermissionDenied):
        reason = f"DataCite recognised the credentials but refused access to {repository_id}."
    else:
        reason = error.explanation
    return Verification(ok=False, reason=reason, repository=None, checked_via=via)
