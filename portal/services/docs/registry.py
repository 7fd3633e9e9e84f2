"""One library per content folder in this process, and the folder code without an app should use."""

from __future__ import annotations

import threading
from pathlib import Path

from portal.services.docs.library import DocLibrary

_LIBRARIES: dict[Path, DocLibrary] = {}
_REGISTRY_LOCK = threading.Lock()
_DEFAULT: list[Path] = []


def library_for(content_dir: Path | str) -> DocLibrary:
    """The one library object per content folder in this process."""
    key = Path(content_dir).resolve()
    with _REGISTRY_LOCK:
        library = _LIBRARIES.get(key)
        if library is None:
            library = _LIBRARIES[key] = DocLibrary(key)
        return library


def set_default_content_dir(content_dir: Path | str) -> None:
    """The folder ``default_library()`` uses (set by the app factory from DOCS_CONTENT_DIR)."""
    _DEFAULT[:] = [Path(content_dir)]


def default_library() -> DocLibrary:
    """The library of the configured content folder (``<repo>/docs_content`` until configured)."""
    from portal.settings import ROOT

    return library_for(_DEFAULT[0] if _DEFAULT else ROOT / "docs_content")
