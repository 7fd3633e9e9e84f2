"""Every table, by domain. Importing this module registers them all with SQLModel's metadata."""

from portal.models.accounts import LoginThrottle, OneTimeToken, RecoveryCode, Role, User
from portal.models.api import ApiToken, IdempotencyRecord, IdempotencyStatus
from portal.models.audit import AuditEvent
from portal.models.credentials import (
    CredentialHandover,
    CredentialKind,
    CredentialSource,
    DataCiteCall,
    DiagnosisTranscript,
    RepositoryCredential,
)
from portal.models.mail import OutboxMessage, OutboxStatus
from portal.models.members import (
    ApiTarget,
    Contact,
    ContactRole,
    Environment,
    Organisation,
    Repository,
    RepositoryPrefix,
)
from portal.models.sla import BusinessCalendar, Holiday, SlaPolicy
from portal.models.staff import DesignatedContact, ServiceProfileText, StaffRequest
from portal.models.system import ProcessHeartbeat
from portal.models.tickets import (
    AssignmentMode,
    Attachment,
    CannedAnswer,
    Category,
    Channel,
    Escalation,
    EscalationStatus,
    GroupMember,
    LinkKind,
    Message,
    Priority,
    Status,
    Ticket,
    TicketDoi,
    TicketEvent,
    TicketGroup,
    TicketLink,
    TicketPresence,
    TicketTag,
    Visibility,
)

# Every column the vault seals: (model, field). `secrets rotate` and `secrets doctor` walk these.
ENCRYPTED_FIELDS = [(User, "totp_secret"), (RepositoryCredential, "secret")]

__all__ = [
    "ApiTarget",
    "CredentialHandover",
    "CredentialKind",
    "CredentialSource",
    "DataCiteCall",
    "DiagnosisTranscript",
    "RepositoryCredential",
    "DesignatedContact",
    "ServiceProfileText",
    "StaffRequest",
    "AssignmentMode",
    "Attachment",
    "CannedAnswer",
    "Category",
    "Channel",
    "Escalation",
    "EscalationStatus",
    "GroupMember",
    "LinkKind",
    "Message",
    "Priority",
    "Status",
    "Ticket",
    "TicketDoi",
    "TicketEvent",
    "TicketGroup",
    "TicketLink",
    "TicketPresence",
    "TicketTag",
    "Visibility",
    "ENCRYPTED_FIELDS",
    "ApiToken",
    "AuditEvent",
    "BusinessCalendar",
    "Contact",
    "ContactRole",
    "Environment",
    "IdempotencyRecord",
    "IdempotencyStatus",
    "Holiday",
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
    "SlaPolicy",
    "User",
]
