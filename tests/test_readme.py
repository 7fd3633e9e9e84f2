"""The README documents every setting and the two commands."""

from __future__ import annotations

from pathlib import Path

from portal.settings import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_setting_is_documented():
    missing = [s.name for s in SETTINGS if f"`PORTAL_{s.name}`" not in README]
    assert not missing, f"settings missing from the README's configuration table: {missing}"


def test_two_commands():
    assert "make run" in README and "make test" in README
