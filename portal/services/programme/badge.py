"""The RSP badge: PNG or sanitised SVG, uploaded by admins, public only while the provider is listed."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree
from sqlmodel import Session, select

from portal import audit
from portal.errors import ValidationFailed
from portal.models import ProgrammeBadge, User
from portal.services.held import Held
from portal.services.programme.steps import is_listed

MAX_BYTES = 512 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
FORBIDDEN = frozenset({"script", "foreignObject", "iframe", "object", "embed", "handler", "listener", "audio",
                       "video", "animate", "set", "animateMotion", "animateTransform"})
HREF_ATTRS = frozenset({"href", f"{{{XLINK_NS}}}href"})
EXTERNAL_URL = re.compile(r"url\(\s*['\"]?(?!#)", re.IGNORECASE)
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; sandbox"
PNG_CSP = "default-src 'none'; sandbox"


@dataclass(frozen=True)
class PublicBadge:
    """What public pages need to show the badge."""

    id: int
    content_type: str


def _is_local_ref(value: str) -> bool:
    return value.strip().startswith("#")


def sanitise_svg(data: bytes) -> bytes:
    """The SVG without scripts, event handlers, foreign objects, non-SVG elements or external references."""
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data.upper():
        raise ValidationFailed({"badge": "SVG files with a DOCTYPE or entities are not accepted."})
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                             remove_pis=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise ValidationFailed({"badge": "This SVG file is not well-formed XML."}) from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ValidationFailed({"badge": "This file is not an SVG image (its root element is not <svg>)."})
    for element in list(root.iter()):
        if element is root or not isinstance(element.tag, str):
            continue
        namespace, _, local = element.tag.rpartition("}")
        parent = element.getparent()
        if parent is not None and (namespace.lstrip("{") != SVG_NS or local in FORBIDDEN):
            parent.remove(element)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in list(element.attrib):
            local = name.rpartition("}")[2]
            value = element.attrib[name]
            if (local.lower().startswith("on") or (name in HREF_ATTRS and not _is_local_ref(value))
                    or EXTERNAL_URL.search(value) or "javascript:" in value.lower()):
                del element.attrib[name]
            elif name.startswith("{") and not name.startswith(f"{{{XLINK_NS}}}") and \
                    not name.startswith("{http://www.w3.org/XML/1998/namespace}"):
                del element.attrib[name]
        if element.tag == f"{{{SVG_NS}}}style" and element.text and (
                EXTERNAL_URL.search(element.text) or "@import" in element.text.lower()):
            element.text = ""
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def check_badge(filename: str, data: bytes) -> tuple[str, bytes]:
    """(content type, bytes to store) for an acceptable PNG or SVG badge, else ValidationFailed."""
    ext = os.path.splitext(filename.lower())[1]
    if not data:
        raise ValidationFailed({"badge": "The file is empty."})
    if len(data) > MAX_BYTES:
        raise ValidationFailed({"badge": f"The badge is larger than {MAX_BYTES // 1024} KB."})
    if ext == ".png":
        if not data.startswith(PNG_MAGIC):
            raise ValidationFailed({"badge": "This file is named .png but is not a PNG image."})
        return "image/png", data
    if ext == ".svg":
        return "image/svg+xml", sanitise_svg(data)
    raise ValidationFailed({"badge": "Upload the badge as a PNG or SVG file."})


def upload_badge(session: Session, *, filename: str, data: bytes, actor: User, now: datetime,
                 ip: str = "") -> ProgrammeBadge:
    """Store a new badge image (checked, SVG sanitised); it replaces the previous one."""
    content_type, stored = check_badge(filename, data)
    name = os.path.basename(filename.replace("\\", "/"))[:255] or "badge"
    row = ProgrammeBadge(filename=name, content_type=content_type, data=stored,
                         sha256=hashlib.sha256(stored).hexdigest(), uploaded_at=now, uploaded_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, "programme.badge", actor=actor, target=row, ip=ip,
                 detail={"filename": name, "content_type": content_type, "size": len(stored)})
    session.commit()
    return row


def current_badge(session: Session) -> ProgrammeBadge | None:
    """The newest uploaded badge image, listed or not."""
    return session.exec(select(ProgrammeBadge).order_by(ProgrammeBadge.id.desc())).first()  # type: ignore[union-attr]


def public_badge(session: Session, *, today: date) -> PublicBadge | None:
    """The badge the public may see: only while listed and when an image is on file."""
    if not is_listed(session, today=today):
        return None
    row = session.exec(select(ProgrammeBadge.id, ProgrammeBadge.content_type)
                       .order_by(ProgrammeBadge.id.desc())).first()  # type: ignore[union-attr]
    return PublicBadge(id=row[0], content_type=row[1]) if row else None


# The footer of every page shows the badge: held a minute per process (services.held).
_footer_badge = Held(("programme_step", "programme_badge"), lambda session, today: public_badge(session, today=today),
                     ttl=60.0)


def footer_badge(session: Session, *, today: date) -> PublicBadge | None:
    """``public_badge``, held in memory: a change through this process shows at once, through another within a minute."""
    return _footer_badge(session, today)


def badge_csp(content_type: str) -> str:
    """The Content-Security-Policy the badge is served with (no script, ever)."""
    return SVG_CSP if content_type == "image/svg+xml" else PNG_CSP
