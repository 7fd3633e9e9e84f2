"""Attachments: size, kind and content checks; stored under generated names outside static."""

from __future__ import annotations

import pytest

from portal.errors import ValidationFailed
from portal.services.tickets.attachments import MAX_FILES, Storage, Upload, check_upload, check_uploads


@pytest.fixture
def storage(tmp_path):
    return Storage(root=tmp_path, max_bytes=1024)


@pytest.mark.parametrize(("name", "data", "problem"), [
    ("page.html", b"<html>", "not accepted"),
    ("logo.svg", b"<svg onload=alert(1)>", "not accepted"),
    ("run.exe", b"MZ", "not accepted"),
    ("fake.pdf", b"<html>not a pdf", "does not contain"),
    ("fake.png", b"GIF89a....", "does not contain"),
    ("binary.txt", b"\x00\x01\x02", "not a text file"),
    ("latin1.txt", "café".encode("latin-1"), "not a UTF-8 text file"),
    ("empty.txt", b"", "empty"),
    ("big.txt", b"a" * 2000, "larger than"),
])
def test_refused_files(storage, name, data, problem):
    with pytest.raises(ValidationFailed) as info:
        check_upload(Upload(name, data), storage)
    assert problem in info.value.errors["attachments"]


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("../../etc/passwd.txt", b"ok", "text/plain"),
    ("metadata.XML", b"<resource/>", "application/xml"),
    ("shot.png", b"\x89PNG\r\n\x1a\nrest", "image/png"),
    ("doc.pdf", b"%PDF-1.7 ...", "application/pdf"),
])
def test_accepted_files_get_clean_names(storage, name, data, kind):
    clean, content_type = check_upload(Upload(name, data), storage)
    assert "/" not in clean and ".." not in clean.split(".")[0] or clean == "passwd.txt"
    assert content_type == kind


def test_too_many_files(storage):
    with pytest.raises(ValidationFailed, match="at most"):
        check_uploads([Upload(f"{n}.txt", b"x") for n in range(MAX_FILES + 1)], storage)
