"""Attachment checks: the type comes from the content, never from the name; limits; names."""

import pytest

from desk.domain.attachments import (
    AttachmentRefused,
    Limits,
    Upload,
    check_uploads,
    content_disposition,
    detect_type,
    safe_name,
)
from tests.support import sample_files as f


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (f.PDF, "application/pdf"),
        (f.PNG, "image/png"),
        (f.JPEG, "image/jpeg"),
        (f.GIF, "image/gif"),
        (f.DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (f.XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (f.ODT, "application/vnd.oasis.opendocument.text"),
        (f.TEXT, "text/plain"),
        (f.EXE, None),
        (f.ELF, None),
        (f.ZIP, None),  # a zip that is no office document
        (b"\x00\x01\x02binary", None),
    ],
)
def test_type_is_detected_from_the_content(data: bytes, expected: str | None) -> None:
    assert detect_type(data) == expected


def test_an_executable_named_pdf_is_refused() -> None:
    with pytest.raises(AttachmentRefused) as info:
        check_uploads([Upload("invoice.pdf", f.EXE)], Limits())
    assert info.value.errors == {"attachments": "type"}


def test_a_pdf_named_exe_is_accepted_as_a_pdf_and_downloads_as_one() -> None:
    [checked] = check_uploads([Upload("report.exe", f.PDF)], Limits())
    assert checked.content_type == "application/pdf"
    assert checked.name == "report.exe.pdf"


@pytest.mark.parametrize(
    ("uploads", "code"),
    [
        ([Upload("a.pdf", f.PDF)] * 3, "too_many"),
        ([Upload("a.pdf", f.PDF + b"x" * 100)], "too_big"),
        ([Upload("a.pdf", f.PDF + b"x" * 60), Upload("b.pdf", f.PDF + b"x" * 60)], "total_too_big"),
        ([Upload("a.pdf", b"")], "empty"),
    ],
)
def test_limits(uploads: list[Upload], code: str) -> None:
    limits = Limits(max_bytes=len(f.PDF) + 80, max_count=2, max_total_bytes=2 * len(f.PDF) + 100)
    with pytest.raises(AttachmentRefused) as info:
        check_uploads(uploads, limits)
    assert info.value.errors == {"attachments": code}


def test_names_lose_paths_and_control_characters() -> None:
    assert safe_name("C:\\Users\\x\\Hakemus.pdf", "application/pdf") == "Hakemus.pdf"
    assert safe_name("../../etc/passwd", "text/plain") == "passwd.txt"
    assert safe_name('a"b\r\nc.png', "image/png") == "a_b_c.png"
    assert safe_name("...", "application/pdf") == "attachment.pdf"
    assert safe_name("kuva.jpeg", "image/jpeg") == "kuva.jpeg"
    assert len(safe_name("x" * 500 + ".pdf", "application/pdf")) == 200


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name() -> None:
    header = content_disposition("Työsopimus ä.pdf")
    assert header == (
        "attachment; filename=\"Tyosopimus a.pdf\"; filename*=UTF-8''Ty%C3%B6sopimus%20%C3%A4.pdf"
    )
