"""Uploads are judged by their content, never by their name, and stored whole or not at all."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from server import uploads
from server.uploads import LocalFolder, UploadRefused, Uploads, check, sniff


def png_bytes(size: tuple[int, int] = (8, 6)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 9), (10, 90, 200)).save(out, "JPEG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (255, 255, 255)).save(out, "PDF")
    return out.getvalue()


def docx_bytes(*, macro: bool = False) -> bytes:
    main = "application/vnd.ms-word.document.macroEnabled.main+xml" if macro else \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" '
                   f'ContentType="{main}"/></Types>')
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("word/document.xml", "<w:document><w:body><w:p>营业执照</w:p></w:body></w:document>")
        if macro:
            z.writestr("word/vbaProject.bin", b"\x00" * 64)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["year", "rent"])
    book.active.append([2025, 360000])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = {"pdf": pdf_bytes, "png": png_bytes, "jpeg": jpeg_bytes, "docx": docx_bytes, "xlsx": xlsx_bytes}
NAMES = {"pdf": "租赁合同.pdf", "png": "photo.png", "jpeg": "scan.JPG", "docx": "说明.docx", "xlsx": "rent.xlsx"}


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_real_files_of_each_kind_are_known_by_their_content(kind: str) -> None:
    data = GOOD[kind]()
    assert sniff(data) == kind
    stored = check(NAMES[kind], data)
    assert (stored.kind, stored.size, stored.name) == (kind, len(data), NAMES[kind])
    assert stored.id == hashlib.sha256(data).hexdigest()
    assert stored.content_type == uploads.KINDS[kind][0]


def test_a_name_without_an_ending_is_judged_by_content_alone() -> None:
    assert check("scan", png_bytes()).kind == "png"


def refusal(name: str, data: bytes, accepted: tuple[str, ...] = tuple(uploads.KINDS), **kw: int) -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        check(name, data, accepted, **kw)
    return caught.value


def test_a_program_renamed_pdf_is_refused_and_said_what_it_is() -> None:
    why = refusal("invoice.pdf", b"MZ\x90\x00" + os.urandom(200))
    assert why.code == "unknown_type" and "Windows program" in why.message


def test_a_real_file_under_another_kinds_name_is_disguised() -> None:
    why = refusal("photo.png", pdf_bytes())
    assert why.code == "disguised" and why.params == {"said": ".png", "found": "PDF"}
    assert "rename it .pdf" in why.message
    assert refusal("report.exe", pdf_bytes()).code == "disguised"
    assert refusal("sheet.docx", xlsx_bytes()).params["found"] == "XLSX"


def test_a_kind_the_material_does_not_take_is_refused_naming_what_it_takes() -> None:
    why = refusal("rent.xlsx", xlsx_bytes(), ("pdf", "image"))
    assert why.code == "not_accepted" and why.params["accepted"] == "PDF, PNG, JPEG"
    assert check("a.jpeg", jpeg_bytes(), ("image",)).kind == "jpeg"


def test_unknown_kinds_in_a_material_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown file kind 'exe'"):
        check("a.pdf", pdf_bytes(), ("exe",))


def test_empty_and_oversize_files_are_refused() -> None:
    assert refusal("a.pdf", b"").code == "empty"
    why = refusal("a.pdf", pdf_bytes() + b" " * 2000, max_bytes=1000)
    assert why.code == "too_large" and why.params["max"] == 1000


def test_cut_short_files_are_refused_as_malformed() -> None:
    for kind in ("pdf", "png", "jpeg", "docx", "xlsx"):
        data = GOOD[kind]()
        why = refusal(NAMES[kind], data[: len(data) * 2 // 3])
        assert why.code == "malformed", (kind, why.message)


def test_a_png_with_a_bad_checksum_or_no_header_is_malformed() -> None:
    data = bytearray(png_bytes())
    data[20] ^= 0xFF  # inside IHDR
    assert "checksum" in refusal("a.png", bytes(data)).message
    body = b"IEND"
    chunk = struct.pack(">I", 0) + body + struct.pack(">I", zlib.crc32(body))
    assert "IHDR" in refusal("a.png", uploads._PNG + chunk).message


def test_an_image_too_large_to_open_is_refused_from_its_header() -> None:
    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    chunks = b"".join(struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
                      for kind, body in ((b"IHDR", ihdr), (b"IEND", b"")))
    why = refusal("big.png", uploads._PNG + chunks)
    assert why.code == "too_many_pixels" and why.params["width"] == 50_000


def test_pdfs_with_scripts_and_office_files_with_macros_are_refused() -> None:
    data = pdf_bytes().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript >>")
    assert refusal("a.pdf", data).code == "active"
    assert refusal("a.docx", docx_bytes(macro=True)).code == "active"


def test_a_plain_zip_or_zip_bomb_is_not_an_office_file() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("notes.txt", "hello")
    assert refusal("a.docx", out.getvalue()).params["what"] == "zip"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\x00" * (uploads.MAX_UNPACKED + 1))
    assert refusal("a.docx", bomb.getvalue()).code == "unpacks_too_large"


def test_names_are_made_safe_to_show_and_offer_back() -> None:
    assert check("..\\..\\etc/pass\x00wd\".pdf", pdf_bytes()).name == "passwd.pdf"
    assert check("   ", pdf_bytes()).name == "upload.pdf"
    long = "合同" * 100 + ".pdf"
    name = check(long, pdf_bytes()).name
    assert len(name) == uploads.MAX_NAME and name.endswith(".pdf")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.sampled_from(["a.pdf", "a.png", "x", "a.docx", "a.jpg"]))
def test_any_bytes_are_accepted_or_refused_with_a_known_code(data: bytes, name: str) -> None:
    try:
        check(name, data)
    except UploadRefused as why:
        assert why.code in {"empty", "unknown_type", "malformed", "disguised", "active", "too_many_pixels",
                            "unpacks_too_large", "not_accepted", "too_large"}
        assert why.message


SAMPLES = {kind: make() for kind, make in GOOD.items()}  # made once: a PDF carries its creation time


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(GOOD)), st.data())
def test_damaged_real_files_never_raise_anything_but_a_refusal(kind: str, draw: st.DataObject) -> None:
    data = bytearray(SAMPLES[kind])
    for _ in range(draw.draw(st.integers(1, 4))):
        at = draw.draw(st.integers(0, len(data) - 1))
        data[at] = draw.draw(st.integers(0, 255))
    cut = draw.draw(st.integers(1, len(data)))
    try:
        check(NAMES[kind], bytes(data[:cut]))
    except UploadRefused:
        pass


def test_the_folder_stores_content_addressed_whole_files(tmp_path: Path) -> None:
    store = Uploads(LocalFolder(tmp_path / "uploads"))
    data = pdf_bytes()
    first = asyncio.run(store.accept("a.pdf", data, ["pdf"]))
    again = asyncio.run(store.accept("copy.pdf", data, ["pdf"]))
    assert first.id == again.id and first.name != again.name
    files = [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]
    assert [p.name for p in files] == [first.id]  # once, no temporary file left
    assert asyncio.run(store.read(first.id)) == data


def test_a_refused_file_stores_nothing(tmp_path: Path) -> None:
    store = Uploads(LocalFolder(tmp_path / "uploads"))
    with pytest.raises(UploadRefused):
        asyncio.run(store.accept("a.pdf", b"MZ not a pdf", ["pdf"]))
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").rglob("*"))


def test_a_write_that_fails_leaves_no_part_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = LocalFolder(tmp_path)
    key = hashlib.sha256(b"x").hexdigest()

    def broken(fd: int) -> None:
        raise OSError("disk full")
    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="disk full"):
        folder.put(key, b"x")
    assert not folder.has(key) and not list(tmp_path.rglob(".part-*"))


def test_a_damaged_stored_copy_is_never_served(tmp_path: Path) -> None:
    store = Uploads(LocalFolder(tmp_path))
    stored = asyncio.run(store.accept("a.png", png_bytes()))
    LocalFolder(tmp_path).path(stored.id).write_bytes(b"tampered")
    with pytest.raises(KeyError):
        asyncio.run(store.read(stored.id))


def test_keys_that_are_not_ids_never_reach_the_disk(tmp_path: Path) -> None:
    for key in ("../../etc/passwd", "ab", "A" * 64):
        with pytest.raises(KeyError):
            LocalFolder(tmp_path).get(key)
