"""`flask --app wsgi datacite-schema ...`: fetch the official XSDs, check a record from a file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.datacite.schema.catalog import LATEST, VERSIONS
from portal.datacite.schema.download import DownloadFailed, download_xsds, httpx_fetcher
from portal.datacite.schema.validate import validate_attributes
from portal.datacite.schema.versioning import NotKernel4, minimum_version, minimum_version_xml
from portal.datacite.schema.xml_validate import validate_xml
from portal.datacite.schema.xmldoc import XmlUnreadable
from portal.datacite.schema.xsd import XsdMissing, configured_xsd_dir

schema_cli = AppGroup("datacite-schema", help="DataCite Metadata Schema files and record checks.")


@schema_cli.command("download")
@click.option("--target", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write kernel-4.X/ into; default the DATACITE_XSD_DIR setting.")
@click.option("--version", "versions", multiple=True, type=click.Choice(VERSIONS),
              help="A version to fetch (repeatable); default all of 4.0-4.7.")
def download_cmd(target: Path | None, versions: tuple[str, ...]) -> None:
    """Fetch metadata.xsd and its include files from schema.datacite.org."""
    folder = target or configured_xsd_dir(current_app.config.get("DATACITE_XSD_DIR"))
    if folder is None:
        raise click.UsageError("Give --target DIR or set PORTAL_DATACITE_XSD_DIR.")
    chosen = versions or VERSIONS
    click.echo(f"Fetching schema {', '.join(chosen)} into {folder}", err=True)
    try:
        # Tests (and air-gapped mirrors) may put an httpx transport in app.extensions["datacite_transport"].
        fetch = httpx_fetcher(current_app.extensions.get("datacite_transport"))
        written = download_xsds(folder, chosen, fetch, progress=lambda message: click.echo(message, err=True))
    except DownloadFailed as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Wrote {len(written)} files for {len(chosen)} versions into {folder}.")


@schema_cli.command("check")
@click.argument("record", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--version", type=click.Choice(VERSIONS), default=None, help=f"Schema to check against; default {LATEST}.")
def check_cmd(record: Path, version: str | None) -> None:
    """Check a DataCite XML file or a REST JSON file (attributes, or a whole {"data": ...} body)."""
    raw = record.read_bytes()
    if raw.lstrip().startswith((b"{", b"[")):
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise click.UsageError(f"{record} is not valid JSON: {exc}") from None
        data = body.get("data", body) if isinstance(body, dict) else body
        attributes = data.get("attributes", data) if isinstance(data, dict) else data
        problems = validate_attributes(attributes, version or LATEST)
        needed = minimum_version(attributes) if isinstance(attributes, dict) else None
    else:
        try:
            problems = validate_xml(raw, version, configured_xsd_dir(current_app.config.get("DATACITE_XSD_DIR")))
        except XsdMissing as exc:
            raise click.UsageError(str(exc)) from None
        try:
            needed = minimum_version_xml(raw)
        except (XmlUnreadable, NotKernel4):
            needed = None  # validate_xml has already said why
    if needed:
        click.echo(f"Needs schema {needed} or later.")
    for problem in problems:
        click.echo(f"[{problem.source}] {problem.title}")
        if problem.hint:
            click.echo(f"    {problem.hint}")
    click.echo("No problems found." if not problems else f"{len(problems)} problem(s).")
    sys.exit(1 if problems else 0)
