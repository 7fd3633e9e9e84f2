"""The demo: repositories on the sandbox with credentials it accepts, and `flask dev` starting the sandbox."""

from __future__ import annotations

import socket
from pathlib import Path

import click
from sqlmodel import select

from portal.devserver import SANDBOX_COMMAND, sandbox_args
from portal.models import Repository, RepositoryCredential
from portal.models.types import utcnow
from portal.services import credentials
from portal.services.datacite_calls import Caller
from portal.services.seed import DEMO_SANDBOX_REPOSITORIES, seed_demo
from tests.services.fake_datacite import FakeDataCite


def test_every_demo_repository_is_on_the_sandbox_with_an_accepted_credential(app, session):
    seed_demo(session, config=app.config, now=utcnow(), vault=app.extensions["portal.vault"])
    repositories = session.exec(select(Repository)).all()
    assert repositories and {r.api_target for r in repositories} == {"sandbox"}
    assert len(session.exec(select(RepositoryCredential)).all()) == len(repositories)
    fake = FakeDataCite()
    for account in DEMO_SANDBOX_REPOSITORIES:
        fake.add(account.symbol, account.password, *account.prefixes)
    for repo in repositories:
        outcome = credentials.verify_credential(session, repo, vault=app.extensions["portal.vault"],
                                                connector=fake.connector(), caller=Caller(label="test"), ip="",
                                                now=utcnow())
        assert outcome.ok, (repo.symbol, outcome.reason)
        assert credentials.credential_status(session, repo).set_via == "seed"
    assert {r.url.host for r in fake.requests} == {"127.0.0.1"}
    sandbox_prefixes = {p for a in DEMO_SANDBOX_REPOSITORIES for p in a.prefixes}
    from portal.services.members import prefixes_of

    assert {p for r in repositories for p in prefixes_of(session, r)} <= sandbox_prefixes


def test_sandbox_specs_parse_as_the_sandbox_command_expects():
    for account in DEMO_SANDBOX_REPOSITORIES:
        symbol, password, prefixes, domains = account.spec.split(":")
        assert (symbol, password, tuple(prefixes.split(",")), domains) == (
            account.symbol, account.password, account.prefixes, account.domains)


def _with_sandbox_command(app) -> None:
    @click.command(SANDBOX_COMMAND)
    def stand_in() -> None:
        """A stand-in for the sandbox command."""

    if SANDBOX_COMMAND not in app.cli.commands:
        app.cli.add_command(stand_in)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_dev_server_starts_the_sandbox_with_the_demo_repositories(app):
    _with_sandbox_command(app)
    port = _free_port()
    app.config["DATACITE_SANDBOX_URL"] = f"http://127.0.0.1:{port}"
    args = sandbox_args(app)
    assert args is not None and args[:5] == [SANDBOX_COMMAND, "--host", "127.0.0.1", "--port", str(port)]
    assert [args[i + 1] for i, a in enumerate(args) if a == "--repository"] == [a.spec for a in
                                                                                 DEMO_SANDBOX_REPOSITORIES]
    assert "--seed-dois" in args  # first start: no sandbox database yet
    database = Path(args[args.index("--db") + 1])
    database.parent.mkdir(parents=True, exist_ok=True)
    database.touch()
    assert "--seed-dois" not in sandbox_args(app)


def test_dev_server_leaves_a_running_sandbox_alone(app):
    _with_sandbox_command(app)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        app.config["DATACITE_SANDBOX_URL"] = f"http://127.0.0.1:{busy.getsockname()[1]}"
        assert sandbox_args(app) is None


def test_dev_server_without_the_sandbox_command(app):
    app.cli.commands.pop(SANDBOX_COMMAND, None)  # a build without the sandbox: `make run` still works
    assert sandbox_args(app) is None
