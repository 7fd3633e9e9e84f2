"""Helpers for documentation tests: write pages with front matter into a content folder."""

from __future__ import annotations

from pathlib import Path

SECTIONS = "guide: Guide\ntroubleshooting: Troubleshooting\n"


def page_text(title: str = "A page", *, body: str = "## Heading\n\nText.\n", **fields: str) -> str:
    meta = {"title": title, "summary": f"About {title.lower()}.", "section": "guide", "audience": "public",
            "last_reviewed": "2026-01-15"}
    meta.update(fields)
    lines = "\n".join(f"{key}: {value}" for key, value in meta.items())
    return f"---\n{lines}\n---\n\n{body}"


def write_page(root: Path, slug: str, title: str = "A page", *, body: str = "## Heading\n\nText.\n",
               **fields: str) -> Path:
    path = root / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page_text(title, body=body, **fields), encoding="utf-8")
    return path


def content_dir(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    root.mkdir()
    (root / "sections.txt").write_text(SECTIONS, encoding="utf-8")
    return root
