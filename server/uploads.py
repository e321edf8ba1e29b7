"""Uploaded files: the one place that accepts, keeps and gives back what people upload.

A file is judged by its bytes, never by its name: ``sniff`` reads the magic numbers and
the structure (a PDF's header and end marker, a PNG's chunks and their checksums, a
JPEG's markers, a DOCX/XLSX as a zip holding the parts of that format), so a program
renamed ``report.pdf`` is refused, and so is a real PDF named ``photo.png`` (the name
would mislead whoever opens it). Every refusal is an ``UploadRefused`` with a code (the
catalogue's ``upload.refused.<code>``), its parameters and an English message naming
what is wrong.

Accepted files are stored content-addressed (the SHA-256 of the bytes is the id)
behind ``Storage``, a small port: ``LocalFolder`` (a folder, ``DATA_DIR/uploads`` by
default) now; a deployment on several machines backs it with an object store or a
shared volume. A file is written to a temporary name in its final folder, flushed and
renamed into place, so a crash leaves either the whole file or none. The same bytes
uploaded twice are stored once.

Files are only ever served back through permission-checked routes; the id alone is no
permission (the routes find the file through a record the person may read).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

MAX_BYTES = 10 * 1024 * 1024  # one file
MAX_UNPACKED = 64 * 1024 * 1024  # what a DOCX/XLSX may unpack to
MAX_ZIP_ENTRIES = 5000
MAX_PIXELS = 100_000_000  # an image's width x height (a 10,000 x 10,000 scan)
MAX_NAME = 120

KINDS: dict[str, tuple[str, tuple[str, ...]]] = {  # kind -> (content type, the name endings that say it)
    "pdf": ("application/pdf", (".pdf",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
}
ALIASES = {"image": ("png", "jpeg"), "jpg": ("jpeg",)}  # what a list of accepted kinds may say instead
ID = re.compile(r"^[0-9a-f]{64}$")

_PNG = b"\x89PNG\r\n\x1a\n"
_ZIP = b"PK\x03\x04"
_OOXML_MAIN = {  # the main part's content type, in [Content_Types].xml
    "docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
}
_OTHER_MAGIC = (  # recognisable things that are not accepted, so the message can say what they are
    (b"MZ", "a Windows program"), (b"\x7fELF", "a Linux program"), (b"\xd0\xcf\x11\xe0", "an old Office file"),
    (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive"), (b"\x1f\x8b", "a gzip archive"),
    (b"GIF8", "a GIF image"), (b"RIFF", "a RIFF file (WebP, WAV, AVI)"), (b"#!", "a script"),
    (b"<", "an HTML or XML text"),
)


class UploadRefused(Exception):
    """Why a file is refused: ``code`` (``upload.refused.<code>`` in the catalogue), the
    ``params`` its text names, and ``message`` in English."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        self.code, self.message, self.params = code, message, params
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Stored:
    id: str  # the SHA-256 of the bytes, hex: where the storage keeps them
    kind: str  # one of KINDS
    content_type: str
    size: int
    name: str  # the name it was uploaded under, made safe to show and to offer as a download name


def kinds_of(accepted: Iterable[str]) -> tuple[str, ...]:
    """The kinds a list such as ``["pdf", "image"]`` accepts (aliases expanded, unknown ones refused)."""
    out: list[str] = []
    for name in accepted:
        for kind in ALIASES.get(name, (name,)):
            if kind not in KINDS:
                raise ValueError(f"unknown file kind {name!r} (known: {', '.join([*KINDS, *ALIASES])})")
            if kind not in out:
                out.append(kind)
    return tuple(out)


def safe_name(name: str, kind: str) -> str:
    """The uploaded name without folders, control characters or quotes, at most
    ``MAX_NAME`` characters; ``upload.<ext>`` when nothing is left."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base)
                   if unicodedata.category(c)[0] != "C" and c not in '"<>|:*?')
    base = " ".join(base.split()).strip(". ")
    if not base:
        return "upload" + KINDS[kind][1][0]
    if len(base) > MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        base = (stem[:MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 5 else base[:MAX_NAME]
    return base


def sniff(data: bytes) -> str:
    """The kind of ``data`` by its content (``UploadRefused`` when it is none of
    ``KINDS`` or is broken)."""
    if not data:
        raise UploadRefused("empty", "the file is empty")
    if data.startswith(b"%PDF-"):
        _pdf(data)
        return "pdf"
    if data.startswith(_PNG):
        _png(data)
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        _jpeg(data)
        return "jpeg"
    if data.startswith(_ZIP):
        return _ooxml(data)
    for magic, what in _OTHER_MAGIC:
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(magic):
            raise UploadRefused("unknown_type", f"the file is {what}, not PDF, PNG, JPEG, DOCX or XLSX", what=what)
    raise UploadRefused("unknown_type", "the file is not PDF, PNG, JPEG, DOCX or XLSX (judged by its content)",
                        what="?")


def check(name: str, data: bytes, accepted: Iterable[str] = tuple(KINDS), *, max_bytes: int = MAX_BYTES) -> Stored:
    """What ``data`` uploaded as ``name`` is, if it may be accepted as one of ``accepted``
    kinds (``UploadRefused`` otherwise). Pure: nothing is stored."""
    kinds = kinds_of(accepted)
    if len(data) > max_bytes:
        raise UploadRefused("too_large", f"the file has {len(data)} bytes: at most {max_bytes} are accepted",
                            size=len(data), max=max_bytes, mib=round(max_bytes / 1024 / 1024, 1))
    kind = sniff(data)
    said = _ending(name)
    if said and said not in KINDS[kind][1]:
        raise UploadRefused("disguised", f"the name ends in {said} but the content is {kind.upper()}: "
                            f"rename it {KINDS[kind][1][0]} if that is what it is", said=said, found=kind.upper())
    if kind not in kinds:
        raise UploadRefused("not_accepted", f"a {kind.upper()} file is not accepted here: "
                            f"send {', '.join(k.upper() for k in kinds)}", found=kind.upper(),
                            accepted=", ".join(k.upper() for k in kinds))
    return Stored(hashlib.sha256(data).hexdigest(), kind, KINDS[kind][0], len(data), safe_name(name, kind))


def _ending(name: str) -> str:
    """The ending of a file name (``.pdf``), lower case; "" when it has none."""
    found = re.search(r"\.[a-z0-9]{1,8}$", (name or "").lower().rstrip(". "))
    return found.group(0) if found else ""


def _pdf(data: bytes) -> None:
    if not re.match(rb"%PDF-[12]\.\d", data[:16]):
        raise UploadRefused("malformed", "the PDF header has no version (%PDF-1.x or %PDF-2.x)", kind="PDF")
    if b"%%EOF" not in data[-2048:]:
        raise UploadRefused("malformed", "the PDF has no end marker (%%EOF): it was cut short", kind="PDF")
    if re.search(rb"/(JavaScript|JS|Launch)\b", data):
        raise UploadRefused("active", "the PDF carries scripts or launch actions", kind="PDF")


def _png(data: bytes) -> None:
    at, first, seen_end = len(_PNG), True, False
    while at < len(data):
        if at + 12 > len(data):
            raise UploadRefused("malformed", "the PNG ends inside a chunk: it was cut short", kind="PNG")
        length, ctype = struct.unpack(">I4s", data[at:at + 8])
        body_end = at + 8 + length
        if body_end + 4 > len(data):
            raise UploadRefused("malformed", "the PNG ends inside a chunk: it was cut short", kind="PNG")
        (crc,) = struct.unpack(">I", data[body_end:body_end + 4])
        if zlib.crc32(data[at + 4:body_end]) != crc:
            raise UploadRefused("malformed", f"the PNG's {ctype.decode('latin-1')!r} chunk fails its checksum",
                                kind="PNG")
        if first:
            if ctype != b"IHDR" or length != 13:
                raise UploadRefused("malformed", "the PNG does not start with its header chunk (IHDR)", kind="PNG")
            width, height = struct.unpack(">II", data[at + 8:at + 16])
            _pixels(width, height, "PNG")
            first = False
        at = body_end + 4
        if ctype == b"IEND":
            seen_end = True
            break
    if not seen_end:
        raise UploadRefused("malformed", "the PNG has no end chunk (IEND): it was cut short", kind="PNG")


def _jpeg(data: bytes) -> None:
    if not data.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9"):
        raise UploadRefused("malformed", "the JPEG has no end marker: it was cut short", kind="JPEG")
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise UploadRefused("malformed", f"the JPEG's structure is broken at byte {at}", kind="JPEG")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        (length,) = struct.unpack(">H", data[at + 2:at + 4])
        if length < 2:
            raise UploadRefused("malformed", f"the JPEG's structure is broken at byte {at}", kind="JPEG")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a frame header: the size
            if at + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            _pixels(width, height, "JPEG")
            return
        if marker == 0xDA:  # image data before any frame header
            break
        at += 2 + length
    raise UploadRefused("malformed", "the JPEG has no frame header (its size is not given)", kind="JPEG")


def _pixels(width: int, height: int, kind: str) -> None:
    if width == 0 or height == 0:
        raise UploadRefused("malformed", f"the {kind} has no pixels ({width} x {height})", kind=kind)
    if width * height > MAX_PIXELS:
        raise UploadRefused("too_many_pixels", f"the {kind} is {width} x {height} pixels: at most "
                            f"{MAX_PIXELS} pixels are accepted", kind=kind, width=width, height=height)


def _ooxml(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_UNPACKED:
                raise UploadRefused("unpacks_too_large", f"the file unpacks to more than "
                                    f"{MAX_UNPACKED // 1024 // 1024} MiB or {MAX_ZIP_ENTRIES} parts",
                                    mib=MAX_UNPACKED // 1024 // 1024)
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names:
                raise UploadRefused("unknown_type", "the file is a zip archive, not a DOCX or XLSX", what="zip")
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
            if any(n.endswith("vbaProject.bin") for n in names) or "macroEnabled" in types:
                raise UploadRefused("active", "the document carries macros (DOCM/XLSM)", kind="DOCX/XLSX")
            kind = next((k for k, (part, main) in _OOXML_MAIN.items() if part in names and main in types), None)
            if kind is None:
                raise UploadRefused("unknown_type", "the file is an Office archive, but neither a DOCX nor an XLSX "
                                    "(no main document part)", what="Office")
            bad = archive.testzip()
            if bad is not None:
                raise UploadRefused("malformed", f"the {kind.upper()}'s part {bad} is damaged", kind=kind.upper())
            return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, zlib.error):
        raise UploadRefused("malformed", "the DOCX/XLSX archive is damaged or cut short", kind="DOCX/XLSX") from None


class Storage(Protocol):
    """Where accepted files live, by id (their SHA-256). Implementations write whole
    files or nothing and may be called from worker threads."""

    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def has(self, key: str) -> bool: ...


@dataclass
class LocalFolder:
    """Files in a folder: ``root/<first two hex digits>/<id>``."""

    root: Path

    def path(self, key: str) -> Path:
        if not ID.match(key):
            raise KeyError(key)
        return Path(self.root) / key[:2] / key

    def put(self, key: str, data: bytes) -> None:
        final = self.path(key)
        if final.exists() and final.stat().st_size == len(data):
            return  # the same bytes, stored before
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=final.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, final)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        folder = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def has(self, key: str) -> bool:
        return self.path(key).is_file()


@dataclass
class Uploads:
    """Checks and keeps uploads: ``accept`` (check, then store), ``read``."""

    storage: Storage
    max_bytes: int = MAX_BYTES

    async def accept(self, name: str, data: bytes, accepted: Iterable[str] = tuple(KINDS)) -> Stored:
        stored = await asyncio.to_thread(check, name, data, tuple(accepted), max_bytes=self.max_bytes)
        await asyncio.to_thread(self.storage.put, stored.id, data)
        return stored

    async def read(self, key: str) -> bytes:
        """The bytes of ``key`` (``KeyError`` when none are stored)."""
        data = await asyncio.to_thread(self.storage.get, key)
        if hashlib.sha256(data).hexdigest() != key:
            raise KeyError(key)  # a damaged copy is never served
        return data


def local(data_dir: Path) -> Uploads:
    """The embedded default: ``DATA_DIR/uploads``."""
    return Uploads(LocalFolder(Path(data_dir) / "uploads"))
