"""The repository spec parser and the `datacite-sandbox` command: seeding, serving, Ctrl-C, clear errors."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from flask import Flask

from portal.datacite.sandbox import create_sandbox, parse_repository_spec
from portal.datacite.sandbox.commands import sandbox_cmd


def test_spec_with_defaults() -> None:
    repo = parse_repository_spec("datacite.test:s3cret:10.5072")
    assert (repo.symbol, repo.password, repo.prefixes, repo.domains) == ("DATACITE.TEST", "s3cret", ["10.5072"], "*")
    assert repo.active and repo.uid == "datacite.test" and repo.provider_id == "DATACITE"


def test_spec_with_prefixes_and_domains() -> None:
    repo = parse_repository_spec("ABC.DATA-2:pw:10.5072, 10.14454:*.Example.org,data.example.com")
    assert repo.symbol == "ABC.DATA-2"
    assert repo.prefixes == ["10.5072", "10.14454"]
    assert repo.domains == "*.example.org,data.example.com"


@pytest.mark.parametrize(("spec", "message"), [
    ("", "must look like ID:PASSWORD:PREFIX"),
    ("DATACITE.TEST:pw", "expected 3 or 4"),
    ("A:B:C:D:E", "found 5 colon-separated parts"),
    ("NODOT:pw:10.5072", "A repository ID is the member ID, a dot"),
    ("AB.C:pw:10.5072", "5 to 18 characters"),
    ("DATACITE.TEST::10.5072", "the password is empty"),
    ("DATACITE.TEST:pw:", "give at least one prefix"),
    ("DATACITE.TEST:pw:5072", "is not a DOI prefix"),
    ("DATACITE.TEST:pw:10.5072:", "Give at least one domain"),
    ("DATACITE.TEST:pw:10.5072:not a host!", "is not a host name"),
])
def test_bad_specs_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        parse_repository_spec(spec)
    assert ":pw:" not in str(caught.value)


def test_seed_only_writes_a_database_file_that_a_later_run_serves(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    result = CliRunner().invoke(sandbox_cmd, ["--db", str(db), "--repository", "DATACITE.TEST:pw:10.5072",
                                              "--seed-dois", "500", "--seed", "9", "--seed-only"])
    assert result.exit_code == 0, result.output
    assert "Added 500 DOIs." in result.output and f"Seeded {db}." in result.output
    box = create_sandbox(db)
    assert set(box.repositories) == {"DATACITE.TEST"}
    with httpx.Client(transport=httpx.WSGITransport(app=box), base_url="http://sandbox", auth=("datacite.test", "pw")) as http:
        assert http.get("/dois", params={"page[size]": 0}).json()["meta"]["total"] == 500
    box.close()


@pytest.mark.parametrize(("args", "message"), [
    (["--seed-only"], "--seed-only needs --db FILE"),
    (["--repository", "BAD"], "Invalid value for '--repository'"),
    (["--seed-dois", "5", "--seed-only", "--db", "{db}"], "--seed-dois needs at least one --repository"),
    (["--error-rate", "2"], "Invalid value for '--error-rate'"),
])
def test_usage_errors_are_clear(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(sandbox_cmd, [a.replace("{db}", str(tmp_path / "x.db")) for a in args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(sandbox_cmd, ["--port", str(port), "--repository", "DATACITE.TEST:pw:10.5072"])
    assert result.exit_code == 1
    assert f"Port {port} is in use" in result.output


def test_command_is_registered_in_the_portal_cli(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["datacite-sandbox", "--help"])
    assert result.exit_code == 0
    for option in ("--repository", "--seed-dois", "--latency-ms", "--error-rate", "--rate-limit-every", "--seed-only", "--db"):
        assert option in result.output


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serves_over_http_and_stops_cleanly_on_a_signal(stop: signal.Signals) -> None:
    command = [sys.executable, "-c", "from portal.datacite.sandbox.commands import sandbox_cmd; sandbox_cmd()",
               "--port", "0", "--repository", "DATACITE.TEST:pw:10.5072", "--seed-dois", "50", "--rate-limit-every", "1000"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Ctrl-C stops it."):
                break
        address = re.search(r"listening on (http://127\.0\.0\.1:\d+)/", "".join(lines))
        assert address, lines
        assert "pw" not in "".join(lines).replace("prefixes", "")
        with httpx.Client(base_url=address.group(1), auth=("datacite.test", "pw"), timeout=10) as http:
            assert http.get("/heartbeat").text == "OK"
            body = http.get("/dois", params={"page[size]": 0}).json()
            assert body["meta"]["total"] == 50
        process.send_signal(stop)
        output, _ = process.communicate(timeout=60)
        assert process.returncode == 0
        assert "Stopped." in output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
