"""Demo data for `make run`, and generated data at scale for benchmarks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from portal.models import (
    ApiTarget,
    Contact,
    CredentialSource,
    Organisation,
    Repository,
    RepositoryPrefix,
    Role,
    User,
)
from portal.passwords import hash_password
from portal.services import accounts, credentials, members
from portal.services.datacite_calls import Caller
from portal.services.members import ContactInput, OrganisationInput, RepositoryInput
from portal.services.sla.seed import seed_default_sla
from portal.vault import Vault

DEMO_PASSWORD = "rsp-portal-demo"  # noqa: S105  (demo data only; seed-demo refuses production)


@dataclass(frozen=True)
class SandboxAccount:
    """A repository account the offline sandbox accepts, and whose credential the demo stores."""

    symbol: str
    password: str
    prefixes: tuple[str, ...]
    domains: str = "*"

    @property
    def spec(self) -> str:
        """The sandbox command's --repository value: ID:PASSWORD:PREFIX[,PREFIX...]:DOMAIN,..."""
        return f"{self.symbol}:{self.password}:{','.join(self.prefixes)}:{self.domains}"


# The one list both the demo seed and `flask dev` (which starts the sandbox) read. A sandbox account serves
# the test and the production record of a repository ID alike, so it holds the prefixes of both.
DEMO_SANDBOX_REPOSITORIES = (
    SandboxAccount("UNIX.DATA", "sandbox-unix-data-demo", ("10.80001", "10.80901")),
    SandboxAccount("IFMD.OCEAN", "sandbox-ifmd-ocean-demo", ("10.80002", "10.80902")),
    SandboxAccount("NDA.ARCHIVE", "sandbox-nda-archive-demo", ("10.80903",), "*.nordicarchive.example"),
)

DEMO_PEOPLE = [
    ("ada@rsp.example", "Ada Lindqvist", Role.admin, None),
    ("priya@rsp.example", "Priya Raman", Role.agent, None),
    ("ben@rsp.example", "Ben Okafor", Role.agent, None),
    ("jonas@rsp.example", "Jonas Weber", Role.publisher, None),
    ("maren@datacite.example", "Maren Schulz", Role.datacite_staff, None),
    ("tomas@unix.example", "Tomás Herrera", Role.member, "UNIX"),
    ("li@unix.example", "Li Wei", Role.member, "UNIX"),
    ("anna@meeresdaten.example", "Anna Vogel", Role.member, "IFMD"),
    ("sami@nordicarchive.example", "Sami Korhonen", Role.member, "NDA"),
]

DEMO_ORGANISATIONS = [
    {
        "org": OrganisationInput(name="University of Unix", datacite_member_id="UNIX", ror_id="",
                                 country="GB", notes="Research data repository on Dataverse; DOIs since 2019."),
        "repos": [
            RepositoryInput(symbol="UNIX.DATA", name="Unix Research Data", environment="production",
                            prefixes="10.80001", domains="unix.example,*.unix.example", api_target=ApiTarget.sandbox),
            RepositoryInput(symbol="UNIX.DATA", name="Unix Research Data (test)", environment="test",
                            prefixes="10.80901", domains="*", api_target=ApiTarget.sandbox),
        ],
        "contacts": [ContactInput(name="Tomás Herrera", email="tomas@unix.example", role="technical"),
                     ContactInput(name="Research Data Office", email="rdo@unix.example", role="service")],
    },
    {
        "org": OrganisationInput(name="Institut für Meeresdaten", datacite_member_id="IFMD", ror_id="",
                                 country="DE", notes="Marine observation data; registers through our API integration."),
        "repos": [
            RepositoryInput(symbol="IFMD.OCEAN", name="Ocean Observations", environment="production",
                            prefixes="10.80002", domains="data.meeresdaten.example", api_target=ApiTarget.sandbox),
            RepositoryInput(symbol="IFMD.OCEAN", name="Ocean Observations (test)", environment="test",
                            prefixes="10.80902", domains="*", api_target=ApiTarget.sandbox),
        ],
        "contacts": [ContactInput(name="Anna Vogel", email="anna@meeresdaten.example", role="technical")],
    },
    {
        "org": OrganisationInput(name="Nordic Data Archive", datacite_member_id="NDA", ror_id="",
                                 country="FI", notes="New member in 2026; still testing."),
        "repos": [
            RepositoryInput(symbol="NDA.ARCHIVE", name="Nordic Data Archive (test)", environment="test",
                            prefixes="10.80903", domains="*.nordicarchive.example", api_target=ApiTarget.sandbox),
        ],
        "contacts": [ContactInput(name="Sami Korhonen", email="sami@nordicarchive.example", role="technical")],
    },
]


def has_users(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(User)).one() > 0


def find_organisation(session: Session, key: str) -> Organisation | None:
    """An organisation by numeric id, DataCite member ID or exact name."""
    if key.isdigit():
        return session.get(Organisation, int(key))
    return session.exec(
        select(Organisation).where(
            (Organisation.datacite_member_id == key.upper()) | (func.lower(Organisation.name) == key.lower())
        )
    ).first()


def seed_demo(session: Session, *, config: Mapping[str, Any], now: datetime,
              vault: Vault | None = None) -> list[tuple[str, str, str]]:
    """Create the demo organisations, people and SLA defaults; returns (email, role, password) for the welcome text.

    With a vault, the demo repositories (all on the sandbox) get the credentials the sandbox accepts.
    """
    if config.get("ENV") == "production":
        raise RuntimeError("Demo data is not loaded in production.")
    policy = accounts.AuthPolicy.from_config(config)
    sandbox_passwords = {account.symbol: account.password for account in DEMO_SANDBOX_REPOSITORIES}
    orgs: dict[str, Organisation] = {}
    for spec in DEMO_ORGANISATIONS:
        org = members.create_organisation(session, spec["org"], actor=None, now=now)
        orgs[org.datacite_member_id] = org
        for repo in spec["repos"]:
            made = members.create_repository(session, org, repo, actor=None, now=now)
            if vault is not None and made.symbol in sandbox_passwords:
                credentials.set_credential(session, made, secret=sandbox_passwords[made.symbol], vault=vault,
                                           via=CredentialSource.seed, caller=Caller(label="Demo data"), ip="", now=now)
        for contact in spec["contacts"]:
            session.add(Contact(organisation_id=org.id or 0, **vars(contact)))
    session.commit()
    logins = []
    for email, name, role, org_key in DEMO_PEOPLE:
        accounts.create_user(session, email=email, name=name, role=role, password=DEMO_PASSWORD, policy=policy,
                             organisation_id=orgs[org_key].id if org_key else None)
        logins.append((email, role.value, DEMO_PASSWORD))
    seed_default_sla(session, now=now)
    from portal.services.seed_helpdesk import seed_helpdesk

    seed_helpdesk(session, config=config, now=now)
    return logins


@dataclass
class ScaleCounts:
    organisations: int = 0
    repositories: int = 0
    users: int = 0


def seed_scale(
    session: Session,
    *,
    orgs: int,
    repos_per_org: int,
    users_per_org: int,
    now: datetime,
    progress: Callable[[int], None] | None = None,
    batch: int = 200,
) -> ScaleCounts:
    """Bulk-add generated organisations with repositories, prefixes and member users."""
    counts = ScaleCounts()
    start = session.exec(select(func.count()).select_from(Organisation)).one() + 1
    shared_hash = hash_password(DEMO_PASSWORD)
    for first in range(start, start + orgs, batch):
        numbers = range(first, min(first + batch, start + orgs))
        new_orgs = [
            Organisation(name=f"Scale Organisation {n:06d}", datacite_member_id=f"SC{n:06d}", country="NL",
                         created_at=now, updated_at=now)
            for n in numbers
        ]
        session.add_all(new_orgs)
        session.flush()
        for org, n in zip(new_orgs, numbers, strict=True):
            for r in range(1, repos_per_org + 1):
                env = "production" if r % 2 else "test"
                repo = Repository(organisation_id=org.id or 0, symbol=f"SC{n:06d}.R{r}", name=f"Repository {r}",
                                  environment=env, domains="*", created_at=now, updated_at=now)
                session.add(repo)
                session.flush()
                session.add(RepositoryPrefix(repository_id=repo.id or 0, prefix=f"10.{70000 + (n * 10 + r) % 900000}"))
                counts.repositories += 1
            for u in range(1, users_per_org + 1):
                session.add(User(email=f"user{u}@org{n:06d}.example", name=f"Member {u} of {n}", role=Role.member,
                                 organisation_id=org.id, password_hash=shared_hash, created_at=now))
                counts.users += 1
        session.commit()
        counts.organisations += len(new_orgs)
        if progress:
            progress(len(new_orgs))
    return counts
