"""Validation against the official XSDs with lxml: compiled once per process, never fetched from the network."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

from lxml import etree

from portal.datacite.schema import hints
from portal.datacite.schema.catalog import check_version
from portal.datacite.schema.problems import Problem
from portal.datacite.schema.xml_usage import REST_SOURCE
from portal.datacite.schema.xmldoc import local_name

# Schema 4.0 and 4.1 import the XML namespace schema from w3.org; this stands in for it, so that
# compiling never reaches for the network. It declares the four xml: attributes loosely, as W3C's does.
_XML_NAMESPACE_XSD = b"""<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.w3.org/XML/1998/namespace"
           xml:lang="en">
  <xs:attribute name="lang"><xs:simpleType><xs:union memberTypes="xs:language">
    <xs:simpleType><xs:restriction base="xs:string"><xs:enumeration value=""/></xs:restriction></xs:simpleType>
  </xs:union></xs:simpleType></xs:attribute>
  <xs:attribute name="space"><xs:simpleType><xs:restriction base="xs:NCName">
    <xs:enumeration value="default"/><xs:enumeration value="preserve"/>
  </xs:restriction></xs:simpleType></xs:attribute>
  <xs:attribute name="base" type="xs:anyURI"/>
  <xs:attribute name="id" type="xs:ID"/>
  <xs:attributeGroup name="specialAttrs">
    <xs:attribute ref="xml:base"/><xs:attribute ref="xml:lang"/><xs:attribute ref="xml:space"/>
    <xs:attribute ref="xml:id"/>
  </xs:attributeGroup>
</xs:schema>
"""
_W3C_XML_XSD = re.compile(r"^https?://www\.w3\.org/(2001/|2009/01/)?xml\.xsd$")
_MESSAGE = re.compile(r"^Element '(?P<element>[^']*)'(?:, attribute '(?P<attribute>[^']*)')?: (?P<text>.*)$", re.S)


class XsdMissing(FileNotFoundError):
    """The configured XSD folder has no kernel-4.X/metadata.xsd for the version asked for."""


class _LocalOnly(etree.Resolver):
    """Serves the W3C xml.xsd from memory; every other URL resolves as usual with network access off."""

    def resolve(self, system_url: str | None, public_id: str | None, context: object) -> object:
        if system_url and _W3C_XML_XSD.match(system_url):
            return self.resolve_string(_XML_NAMESPACE_XSD, context)
        return None


def xsd_path(xsd_dir: Path, version: str) -> Path:
    """Where the main XSD of a version lives inside an XSD folder."""
    return Path(xsd_dir) / f"kernel-{check_version(version)}" / "metadata.xsd"


def configured_xsd_dir(value: str | Path | None) -> Path | None:
    """The DATACITE_XSD_DIR setting as a Path, or None when it is empty (XSD checks are then skipped)."""
    if value is None or not str(value).strip():
        return None
    return Path(str(value).strip()).expanduser()


@lru_cache(maxsize=64)
def _compiled(path: str) -> tuple[etree.XMLSchema, threading.Lock]:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalOnly())
    schema = etree.XMLSchema(etree.parse(path, parser))
    # lxml keeps the last error log on the schema object, so one validation at a time per schema.
    return schema, threading.Lock()


def compiled_schema(xsd_dir: Path, version: str) -> etree.XMLSchema:
    """The compiled XSD of a version from an XSD folder (cached per process)."""
    return _schema_and_lock(xsd_dir, version)[0]


def _schema_and_lock(xsd_dir: Path, version: str) -> tuple[etree.XMLSchema, threading.Lock]:
    path = xsd_path(xsd_dir, version)
    if not path.is_file():
        raise XsdMissing(
            f"No {path.parent.name}/metadata.xsd in {Path(xsd_dir)}; fetch the schema files with "
            f"`flask --app wsgi datacite-schema download --target {Path(xsd_dir)}` or fix DATACITE_XSD_DIR."
        )
    try:
        return _compiled(str(path.resolve()))
    except etree.XMLSchemaParseError as exc:
        raise XsdMissing(f"{path} is not a usable XML Schema: {exc}") from None


def _source_of(path: str | None, root: etree._Element) -> str:
    if not path:
        return "xml"
    try:
        found = root.getroottree().xpath(path)
    except etree.XPathError:
        return "xml"
    node = found[0] if isinstance(found, list) and found else None
    if not isinstance(node, etree._Element) or node is root:
        return "xml"
    while node.getparent() is not None and node.getparent() is not root:
        node = node.getparent()
    return REST_SOURCE.get(local_name(node), local_name(node))


def xsd_problems(root: etree._Element, version: str, xsd_dir: Path) -> list[Problem]:
    """libxml2's findings for a document against one version's XSD, worded as DataCite words them."""
    schema, lock = _schema_and_lock(xsd_dir, version)
    with lock:
        schema.validate(root.getroottree())
        entries = [(e.message, e.line, e.column, e.path) for e in schema.error_log]
    found: dict[str, Problem] = {}
    for message, line, column, path in entries:
        match = _MESSAGE.match(message.strip())
        text = match.group("text").strip() if match else message.strip()
        source = _source_of(path, root)
        found.setdefault(source, Problem(source, f"{text} at line {line}, column {column}", hints.XSD))
    return list(found.values())
