"""Reading DataCite XML safely: no network, no entity expansion, clear errors for broken input."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from portal.datacite.schema.catalog import NAMESPACE

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_RETIRED_NAMESPACE = re.compile(r"^https?://datacite\.org/schema/kernel-[23](\.\d+)?$")
_SCHEMA3_NAMESPACE = re.compile(r"^https?://datacite\.org/schema/kernel-3(\.\d+)?$")
_XSD_VERSION = re.compile(r"kernel-(\d+(?:\.\d+)+)/metadata\.xsd$")


class XmlUnreadable(ValueError):
    """The text is not well-formed XML; carries libxml2's message and position."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{message} at line {line}, column {column}")
        self.message = message
        self.line = line
        self.column = column


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=False)


def parse_xml(xml: str | bytes) -> etree._Element:
    """The root element of a document; XmlUnreadable when it is not well-formed."""
    if isinstance(xml, str):
        # DataCite strips a BOM and surrounding whitespace before parsing; the text is already decoded.
        data = xml.lstrip("\ufeff").strip().encode("utf-8")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, encoding="utf-8")
    elif isinstance(xml, bytes | bytearray):
        data = bytes(xml).removeprefix(b"\xef\xbb\xbf").strip()
        parser = _parser()
    else:
        raise XmlUnreadable(f"expected XML text, got {type(xml).__name__}", 1, 0)
    if not data:
        raise XmlUnreadable("Document is empty", 1, 1)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        entries = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
        if entries:
            first = entries[0]
            raise XmlUnreadable(first.message.strip(), first.line, first.column) from None
        line, column = exc.position if exc.position else (1, 0)
        raise XmlUnreadable(str(exc.msg or exc), line, column) from None
    if root is None:
        raise XmlUnreadable("Document is empty", 1, 1)
    return root


def namespace_of(root: etree._Element) -> str:
    """The namespace URI of the root element ("" when it has none)."""
    return etree.QName(root).namespace or ""


def is_kernel4(root: etree._Element) -> bool:
    """True for a DataCite kernel-4 document."""
    return namespace_of(root) == NAMESPACE


def is_retired_namespace(namespace: str) -> bool:
    """True for kernel-2.x and kernel-3 namespaces, which DataCite no longer accepts."""
    return bool(_RETIRED_NAMESPACE.match(namespace))


def is_schema3_namespace(namespace: str) -> bool:
    """True for the kernel-3 (3.0, 3.1) namespaces."""
    return bool(_SCHEMA3_NAMESPACE.match(namespace))


@dataclass(frozen=True)
class SchemaLocation:
    """One namespace/XSD pair of xsi:schemaLocation."""

    namespace: str
    location: str


def schema_locations(root: etree._Element) -> list[SchemaLocation]:
    """The pairs declared in the root's xsi:schemaLocation (an odd trailing token is ignored)."""
    tokens = (root.get(f"{{{XSI}}}schemaLocation") or "").split()
    return [SchemaLocation(tokens[i], tokens[i + 1]) for i in range(0, len(tokens) - 1, 2)]


def declared_minor(root: etree._Element) -> str | None:
    """The version named by the schemaLocation XSD URL for this document's namespace, if it names one."""
    namespace = namespace_of(root)
    pairs = schema_locations(root)
    ordered = [p for p in pairs if p.namespace == namespace] + [p for p in pairs if p.namespace != namespace]
    for pair in ordered:
        match = _XSD_VERSION.search(pair.location.rstrip("/"))
        if match:
            return match.group(1)
    return None


def local_name(element: etree._Element) -> str:
    """The element's name without namespace ("" for comments and processing instructions)."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def children(element: etree._Element, name: str | None = None) -> list[etree._Element]:
    """Child elements (optionally only those with a given local name)."""
    return [c for c in element if isinstance(c.tag, str) and (name is None or local_name(c) == name)]
