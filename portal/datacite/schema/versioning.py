"""The lowest 4.x version a record needs, from the features it uses; schemaLocation for XML."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.datacite.schema.catalog import VERSIONS, arrival_of, latest_of, version_key
from portal.datacite.schema.usage import feature_uses, value_uses
from portal.datacite.schema.xml_usage import xml_feature_uses, xml_value_uses
from portal.datacite.schema.xmldoc import (
    XmlUnreadable,
    declared_minor,
    is_kernel4,
    is_schema3_namespace,
    namespace_of,
    parse_xml,
)


class NotKernel4(ValueError):
    """The XML is well-formed but is not a DataCite kernel-4 record."""


@dataclass(frozen=True)
class Requirement:
    """One reason a record needs at least some version."""

    version: str
    source: str
    feature: str


def _sorted(found: list[Requirement]) -> list[Requirement]:
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda r: (tuple(-n for n in version_key(r.version)), r.source, r.feature))


def explain_minimum_version(attributes: dict[str, Any]) -> list[Requirement]:
    """Every post-4.0 feature a REST JSON record uses, newest first (empty for a plain 4.0 record)."""
    if not isinstance(attributes, dict):
        return []
    found: list[Requirement] = []
    for use in value_uses(attributes):
        arrived = arrival_of(use.list_name, use.value) if isinstance(use.value, str) else None
        if arrived and arrived != VERSIONS[0]:
            found.append(Requirement(arrived, use.source, f"{use.field} '{use.value}'"))
    for feature in feature_uses(attributes):
        found.append(Requirement(feature.version, feature.source, feature.feature))
    return _sorted(found)


def minimum_version(attributes: dict[str, Any]) -> str:
    """The lowest schema version whose features cover a REST JSON record ("4.0" when nothing newer is used).

    Values that no 4.x version knows (typos, Funder) do not raise the minimum; validation reports them.
    """
    return latest_of([r.version for r in explain_minimum_version(attributes)])


def _kernel4_root(xml: str | bytes) -> Any:
    root = parse_xml(xml)
    if not is_kernel4(root):
        found = namespace_of(root) or "no namespace"
        raise NotKernel4(f"Not DataCite kernel-4 XML: the root element's namespace is {found}.")
    return root


def explain_minimum_version_xml(xml: str | bytes) -> list[Requirement]:
    """Every post-4.0 feature a kernel-4 XML record uses, newest first.

    Raises XmlUnreadable for malformed XML and NotKernel4 for other namespaces (kernel-3 included).
    """
    root = _kernel4_root(xml)
    found: list[Requirement] = []
    for use in xml_value_uses(root):
        arrived = arrival_of(use.list_name, use.value)
        if arrived and arrived != VERSIONS[0]:
            found.append(Requirement(arrived, use.source, f"{use.element}@{use.attribute} '{use.value}'"))
    for feature in xml_feature_uses(root):
        found.append(Requirement(feature.version, feature.source, feature.feature))
    return _sorted(found)


def minimum_version_xml(xml: str | bytes) -> str:
    """The lowest schema version whose XSD defines every feature a kernel-4 XML record uses.

    This is about the content; the version the record claims is declared_version_xml().
    """
    return latest_of([r.version for r in explain_minimum_version_xml(xml)])


def declared_version_xml(xml: str | bytes) -> str | None:
    """The minor version named in xsi:schemaLocation (e.g. "4.3"); None when absent or unreadable.

    The rolling location .../meta/kernel-4/metadata.xsd names no minor (it always means the newest).
    """
    try:
        return declared_minor(parse_xml(xml))
    except XmlUnreadable:
        return None


def is_schema3_xml(xml: str | bytes) -> bool:
    """True when the document is in a kernel-3 namespace (DataCite refuses those since January 2025)."""
    try:
        return is_schema3_namespace(namespace_of(parse_xml(xml)))
    except XmlUnreadable:
        return False
