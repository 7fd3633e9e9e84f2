"""Every table, by domain. Importing this module registers them all with SQLModel's metadata."""

from portal.models.accounts import LoginThrottle, OneTimeToken, RecoveryCode, Role, User
from portal.models.audit import AuditEvent
from portal.models.jobs import JobRun, JobState, RunStatus, RunTrigger, SchedulerLease
from portal.models.mail import OutboxMessage, OutboxStatus
from portal.models.members import (
    Contact,
    ContactRole,
    Environment,
    Organisation,
    Repository,
    RepositoryPrefix,
)
from portal.models.system import ProcessHeartbeat

# Every column the vault seals: (model, field). `secrets rotate` and `secrets doctor` walk these.
ENCRYPTED_FIELDS = [(User, "totp_secret")]

__all__ = [
    "ENCRYPTED_FIELDS",
    "AuditEvent",
    "Contact",
    "ContactRole",
    "Environment",
    "JobRun",
    "JobState",
    "LoginThrottle",
    "OneTimeToken",
    "Organisation",
    "OutboxMessage",
    "OutboxStatus",
    "ProcessHeartbeat",
    "RecoveryCode",
    "Repository",
    "RepositoryPrefix",
    "Role",
    "RunStatus",
    "RunTrigger",
    "SchedulerLease",
    "User",
]
