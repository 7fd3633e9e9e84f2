"""DataCite's generated DOI suffixes: Crockford base32, 6 characters plus a 2-digit checksum, split 4+4."""

from __future__ import annotations

import random
import re

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
LIMIT = 32**6 - 1  # DataCite draws below 1,073,741,823, so six base32 characters always suffice
DOI_SYNTAX = re.compile(r"^10\.\d{4,5}/[-._;()/:a-zA-Z0-9*~$=]+$")
# An odd multiplier is a bijection modulo 2**30: sequential numbers become distinct, scattered suffixes.
_SCATTER = 0x2545F491
_PAIRS = [ALPHABET[i >> 5] + ALPHABET[i & 31] for i in range(1024)]


def encode_suffix(number: int) -> str:
    """The suffix DataCite makes from ``number``: e.g. 122149076 -> ``3mfp-6m52``."""
    if not 0 <= number <= LIMIT:
        raise ValueError(f"suffix numbers run from 0 to {LIMIT}")
    # Six base32 digits are three 10-bit chunks, two characters each.
    digits = _PAIRS[number >> 20] + _PAIRS[(number >> 10) & 1023] + _PAIRS[number & 1023]
    return f"{digits[:4]}-{digits[4:]}{98 - (number * 100) % 97:02d}"


def random_suffix(rng: random.Random | None = None) -> str:
    """A fresh random suffix as POST /dois makes when only a prefix is given."""
    return encode_suffix((rng or random.SystemRandom()).randrange(LIMIT))


def scattered_suffix(sequence: int) -> str:
    """A deterministic suffix for the ``sequence``-th generated DOI; distinct for distinct sequences."""
    return encode_suffix((sequence * _SCATTER) % (1 << 30))


def doi_syntax_ok(doi: str) -> bool:
    """DataCite's check of a DOI name on create."""
    return bool(DOI_SYNTAX.match(doi))
