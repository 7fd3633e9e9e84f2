"""Entering a repository credential, shared by the desk, member pages and the hand-over page: the write-only
form, and the words for what verification found."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm
from wtforms import PasswordField

from portal.errors import DomainError
from portal.models import Repository
from portal.services import credentials
from portal.services.credentials import VerifyOutcome
from portal.vault_app import get_vault
from portal.web.common import caller, client_ip, datacite, db, utcnow


class CredentialForm(FlaskForm):
    """Write-only: the field is never filled in, and blank keeps what is stored."""

    secret = PasswordField("Password or API key", render_kw={"autocomplete": "new-password", "spellcheck": "false"})


def verification_message(outcome: VerifyOutcome) -> tuple[str, str]:
    """(flash category, text) for a verification outcome."""
    if not outcome.checked:
        fix = f" {outcome.error.fix}" if outcome.error is not None else ""
        return "warning", f"Saved, but it could not be verified now: {outcome.reason}{fix}"
    if outcome.ok:
        return "success", f"Verified: {outcome.reason}"
    return "error", f"Verification failed: {outcome.reason}"


def verify_and_flash(repo: Repository) -> None:
    """Verify the stored credential and flash the verdict; problems reaching DataCite are flashed too."""
    try:
        outcome = credentials.verify_credential(db(), repo, vault=get_vault(), connector=datacite(), caller=caller(),
                                                ip=client_ip(), now=utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
        return
    category, text = verification_message(outcome)
    flash(text, category)
