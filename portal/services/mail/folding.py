"""Folding quoted history and signatures out of a reply, the way mail clients hide them."""

from __future__ import annotations

import re

QUOTE_HEADERS = [
    re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.IGNORECASE),  # Gmail, Apple Mail, Thunderbird
    re.compile(r"^\s*Am\b.{0,300}\bschrieb\b.{0,100}:\s*$", re.IGNORECASE),
    re.compile(r"^\s*Le\b.{0,300}\ba écrit\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE),  # Outlook
    re.compile(r"^\s*_{20,}\s*$"),  # Outlook's rule above the quoted header block
    re.compile(r"^\s*(From|Von|De):\s.+$"),  # Outlook's header block, when followed by Sent/Date
]
SIGNATURE = [re.compile(r"^-- ?$"), re.compile(r"^\s*Sent from my \w+", re.IGNORECASE),
             re.compile(r"^\s*Get Outlook for ", re.IGNORECASE)]
FORWARD = re.compile(r"^\s*(-{5,}\s*Forwarded message\s*-{5,}|Begin forwarded message:)", re.IGNORECASE | re.MULTILINE)
OUTLOOK_NEXT = re.compile(r"^\s*(Sent|Date|Gesendet|Envoyé):\s", re.IGNORECASE)


def _quote_start(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        for pattern in QUOTE_HEADERS:
            if pattern.match(line):
                if pattern is QUOTE_HEADERS[-1] and not any(OUTLOOK_NEXT.match(n) for n in lines[index + 1:index + 3]):
                    continue
                return index
        if line.startswith(">") and all(not rest.strip() or rest.startswith(">") for rest in lines[index:]):
            return index
    return None


def fold_reply(text: str) -> tuple[str, int]:
    """(the new part of a reply, how many lines of quoted history and signature were folded away).

    A forward is never folded: what was forwarded is the point of it. If folding would leave nothing,
    the whole text is kept."""
    if FORWARD.search(text):
        return text.strip(), 0
    lines = text.splitlines()
    cut = _quote_start(lines)
    kept = lines if cut is None else lines[:cut]
    for index, line in enumerate(kept):
        if any(p.match(line) for p in SIGNATURE):
            kept = kept[:index]
            break
    new = "\n".join(kept).strip()
    if not new:
        return text.strip(), 0
    return new, len(lines) - len(kept)
