"""The badge: PNG or sanitised SVG, public only while listed, served with a CSP that forbids script."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.errors import ValidationFailed
from portal.models import Role
from portal.models.types import utcnow
from portal.services.programme import badge, steps

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EVIL_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="40"
     onload="alert(1)">
  <script>alert('x')</script>
  <style>@import url(https://evil.example/x.css); rect { fill: red }</style>
  <defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>
  <rect width="100" height="40" fill="url(#g)" onclick="steal()" style="background:url(https://evil.example/t.png)"/>
  <foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
  <a xlink:href="javascript:alert(1)"><text x="5" y="20">RSP</text></a>
  <use href="#g"/>
  <image href="https://evil.example/pixel.png" width="1" height="1"/>
  <!-- a comment -->
</svg>"""


def test_svg_sanitiser_removes_scripts_handlers_foreign_objects_and_external_refs():
    clean = badge.sanitise_svg(EVIL_SVG).decode()
    for bad in ("<script", "onload", "onclick", "foreignObject", "evil.example", "javascript:", "@import",
                "xhtml", "comment"):
        assert bad not in clean, bad
    assert 'fill="url(#g)"' in clean and 'href="#g"' in clean and ">RSP</text>" in clean


@pytest.mark.parametrize(("name", "data", "message"), [
    ("badge.gif", b"GIF89a", "PNG or SVG"),
    ("badge.png", b"<svg/>", "not a PNG"),
    ("badge.svg", b"<html/>", "not an SVG"),
    ("badge.svg", b"<svg", "not well-formed"),
    ("badge.svg", b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', "DOCTYPE"),
    ("badge.png", PNG + b"\x00" * badge.MAX_BYTES, "larger than"),
    ("badge.png", b"", "empty"),
])
def test_badge_files_are_checked(name, data, message):
    with pytest.raises(ValidationFailed) as failed:
        badge.check_badge(name, data)
    assert message in failed.value.errors["badge"]


def test_badge_is_public_only_while_listed(app, client, session, make):
    admin = make.user(session, Role.admin)
    now = utcnow()
    assert client.get("/rsp-badge").status_code == 404
    badge.upload_badge(session, filename="rsp.svg", data=EVIL_SVG, actor=admin, now=now)
    assert client.get("/rsp-badge").status_code == 404  # uploaded but not listed
    assert b"/rsp-badge" not in client.get("/docs/").data

    steps.save_step(session, key="listed", happened_on=now.date() - timedelta(days=1), people="", notes="",
                    actor=admin, now=now)
    response = client.get("/rsp-badge")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'none'" in csp and "default-src 'none'" in csp and "sandbox" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert b"<script" not in response.data
    page = client.get("/docs/").data
    assert b'src="/rsp-badge"' in page and b"DataCite Registered Service Provider" in page

    badge.upload_badge(session, filename="rsp.png", data=PNG, actor=admin, now=now)
    response = client.get("/rsp-badge")
    assert response.mimetype == "image/png" and response.data == PNG

    steps.save_step(session, key="listed", happened_on=None, people="", notes="", actor=admin, now=now)
    assert client.get("/rsp-badge").status_code == 404
    assert b"/rsp-badge" not in client.get("/docs/").data


def test_admin_badge_page_offers_embed_snippet_only_while_listed(app, client, session, make, login_as):
    admin = make.user(session, Role.admin)
    login_as(admin)
    response = client.post("/admin/programme/badge", data={"badge": (__import__("io").BytesIO(b"GIF89a"), "b.gif")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and b"PNG or SVG" in response.data
    response = client.post("/admin/programme/badge", data={"badge": (__import__("io").BytesIO(PNG), "b.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get("/admin/programme/badge").data
    assert b"Not listed" in page and b"Embed snippet" not in page
    steps.save_step(session, key="listed", happened_on=date(2026, 1, 5), people="", notes="", actor=admin,
                    now=utcnow())
    page = client.get("/admin/programme/badge").data
    assert b"Embed snippet" in page and b"http://localhost/rsp-badge" in page


def test_footer_badge_is_held_for_a_minute_unless_this_process_changes_it(app, client, session, make, monkeypatch):
    from portal.db import engine_of
    from portal.services import held

    admin = make.user(session, Role.admin)
    now = utcnow()
    badge.upload_badge(session, filename="rsp.png", data=PNG, actor=admin, now=now)
    steps.save_step(session, key="listed", happened_on=now.date() - timedelta(days=1), people="", notes="",
                    actor=admin, now=now)
    moment = [held.clock()]
    monkeypatch.setattr(held, "clock", lambda: moment[0])
    assert b'src="/rsp-badge"' in client.get("/docs/").data
    # Another process un-lists the provider (SQL on a raw connection, which this process's engine never sees):
    # this one keeps showing the badge until the minute is up ...
    raw = engine_of(app).raw_connection()
    try:
        raw.cursor().execute("UPDATE programme_step SET happened_on = NULL WHERE key = 'listed'")
        raw.commit()
    finally:
        raw.close()
    session.commit()
    moment[0] += 59
    assert b'src="/rsp-badge"' in client.get("/docs/").data
    moment[0] += 2
    assert b"/rsp-badge" not in client.get("/docs/").data
    # ... while a change made here shows on the next page.
    steps.save_step(session, key="listed", happened_on=now.date() - timedelta(days=1), people="", notes="",
                    actor=admin, now=now)
    assert b'src="/rsp-badge"' in client.get("/docs/").data
