"""download_xsds with a fake fetch over ../shared, and the datacite-schema CLI with httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from flask import Flask

from portal.datacite.schema import VERSIONS, DownloadFailed, UnknownVersion, download_xsds, validate_xml
from portal.datacite.schema.download import SCHEMA_BASE
from tests.datacite.schema_samples import record_json, record_xml, schema_dir


def shared_fetch(requested: list[str] | None = None) -> Callable[[str], bytes]:
    """Answer schema.datacite.org URLs from the shared copy of the official files."""
    folder = schema_dir()

    def fetch(url: str) -> bytes:
        assert url.startswith(SCHEMA_BASE), url
        if requested is not None:
            requested.append(url)
        path = folder / url.removeprefix(SCHEMA_BASE)
        if not path.is_file():
            raise FileNotFoundError(f"404 for {url}")
        return path.read_bytes()

    return fetch


def test_downloads_every_version_with_its_includes(tmp_path: Path) -> None:
    requested: list[str] = []
    messages: list[str] = []
    written = download_xsds(tmp_path, fetch=shared_fetch(requested), progress=messages.append)
    expected = sorted(
        p.relative_to(schema_dir()) for v in VERSIONS for p in (schema_dir() / f"kernel-{v}").rglob("*.xsd")
    )
    assert sorted(p.relative_to(tmp_path) for p in written) == expected
    for path in written:
        assert path.read_bytes() == (schema_dir() / path.relative_to(tmp_path)).read_bytes()
    assert f"{SCHEMA_BASE}kernel-4.7/include/datacite-numberType-v4.xsd" in requested
    assert len(requested) == len(set(requested)) == len(expected)
    assert any("4.0: http://www.w3.org/2009/01/xml.xsd is absolute" in m for m in messages)
    # The downloaded folder works for validation, 4.0 (w3.org import) included.
    assert validate_xml(record_xml(), "4.0", tmp_path) == []
    assert validate_xml(record_xml(rtg="Blog"), "4.7", tmp_path)[0].source == "types"


def test_selected_versions_only(tmp_path: Path) -> None:
    written = download_xsds(tmp_path, ["4.6"], fetch=shared_fetch())
    assert {p.relative_to(tmp_path).parts[0] for p in written} == {"kernel-4.6"}
    with pytest.raises(UnknownVersion):
        download_xsds(tmp_path, ["4.9"], fetch=shared_fetch())


def test_fetch_failure_names_the_url(tmp_path: Path) -> None:
    def broken(url: str) -> bytes:
        raise OSError("connection refused")

    with pytest.raises(DownloadFailed, match=r"kernel-4\.7/metadata\.xsd: connection refused"):
        download_xsds(tmp_path, ["4.7"], fetch=broken)
    assert not list(tmp_path.rglob("*.xsd"))


def test_non_schema_answers_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DownloadFailed, match="not XML"):
        download_xsds(tmp_path, ["4.7"], fetch=lambda url: b"<html><body>Sign in to the Wi-Fi")
    with pytest.raises(DownloadFailed, match="not an XML Schema"):
        download_xsds(tmp_path, ["4.7"], fetch=lambda url: b"<html/>")


def test_includes_may_not_leave_the_schema_folder(tmp_path: Path) -> None:
    evil = (b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
            b'<xs:include schemaLocation="../../etc/cron.d/x.xsd"/></xs:schema>')
    with pytest.raises(DownloadFailed, match="outside the schema folder"):
        download_xsds(tmp_path, ["4.7"], fetch=lambda url: evil)


@pytest.fixture
def schema_transport(app: Flask) -> list[str]:
    """Route the CLI's downloads to the shared files through httpx.MockTransport."""
    requested: list[str] = []
    fetch = shared_fetch(requested)

    def handler(request: httpx.Request) -> httpx.Response:
        try:
            return httpx.Response(200, content=fetch(str(request.url)))
        except FileNotFoundError:
            return httpx.Response(404)

    app.extensions["datacite_transport"] = httpx.MockTransport(handler)
    return requested


def test_cli_download(app: Flask, schema_transport: list[str], tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(
        args=["datacite-schema", "download", "--target", str(tmp_path), "--version", "4.7", "--version", "4.0"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "kernel-4.7" / "include" / "xml.xsd").is_file()
    assert (tmp_path / "kernel-4.0" / "metadata.xsd").is_file() and not (tmp_path / "kernel-4.5").exists()
    assert "4.7: include/datacite-resourceType-v4.xsd" in result.output
    assert "Wrote 21 files for 2 versions" in result.output


def test_cli_download_uses_the_setting_and_reports_failures(app: Flask, schema_transport: list[str],
                                                            tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["datacite-schema", "download"])
    assert missing.exit_code == 2 and "PORTAL_DATACITE_XSD_DIR" in missing.output
    app.config["DATACITE_XSD_DIR"] = str(tmp_path)
    assert runner.invoke(args=["datacite-schema", "download", "--version", "4.5"]).exit_code == 0
    assert (tmp_path / "kernel-4.5" / "metadata.xsd").is_file()
    app.extensions["datacite_transport"] = httpx.MockTransport(lambda request: httpx.Response(503))
    failed = runner.invoke(args=["datacite-schema", "download", "--version", "4.5"])
    assert failed.exit_code == 1 and "Could not fetch https://schema.datacite.org/meta/kernel-4.5/metadata.xsd" in failed.output


def test_cli_check(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    good = tmp_path / "good.xml"
    good.write_text(record_xml(rtg="Poster"))
    result = runner.invoke(args=["datacite-schema", "check", str(good)])
    assert result.exit_code == 0 and "Needs schema 4.7 or later." in result.output and "No problems" in result.output
    older = runner.invoke(args=["datacite-schema", "check", str(good), "--version", "4.6"])
    assert older.exit_code == 1 and "[types] [facet 'enumeration'] The value 'Poster'" in older.output
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"data": {"type": "dois", "attributes": record_json(creators=[])}}))
    result = runner.invoke(args=["datacite-schema", "check", str(body)])
    assert result.exit_code == 1 and "[creators] Missing child element(s)" in result.output
    broken = tmp_path / "broken.xml"
    broken.write_text("<resource>Tom & Jerry</resource>")
    result = runner.invoke(args=["datacite-schema", "check", str(broken)])
    assert result.exit_code == 1 and "[xml] [xml] xmlParseEntityRef: no name" in result.output
