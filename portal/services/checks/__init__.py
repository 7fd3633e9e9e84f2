"""Scheduled checks of members' repositories: health, evidence for RSP requirement 2, schema readiness."""
