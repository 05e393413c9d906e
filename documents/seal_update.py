"""The court seal's incremental update written as bytes (documents/seal.py), for the PDFs Typst makes.

Sealing appends one incremental update to the rendered PDF: the last page gains the seal's widget, the
catalog an AcroForm with the signature field (and pyHanko's PAdES and ISO 32002 extension entries), the
info dictionary and the XMP metadata the sealing time, and new objects carry the appearance (the court's
seal page as a form XObject, with its fonts — the same for every document of a court) and the signature
dictionary, whose ``/Contents`` is filled with the CMS once the covered bytes are hashed.

pyHanko builds the same update by parsing the document into its object model, importing the seal's page
anew and serialising every object: most of a seal's CPU without its timestamp. Here the appearance is
made by pyHanko once per court (:class:`Appearance`) and each document's update is spliced from the few
objects it changes — read at the offsets of the document's cross-reference table — as the recognised
shape allows (:func:`plan`): one classic cross-reference section, a flat page tree, no form, annotations,
encryption or earlier update, Typst's XMP. Any other PDF is sealed by pyHanko's path.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
from dataclasses import dataclass
from datetime import datetime

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pyHanko imports DSA, which cryptography warns is deprecated
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.pdf_utils.metadata.model import VENDOR
    from pyhanko.pdf_utils.writer import PdfFileWriter
    from pyhanko.stamp import StaticStampStyle

_REF = re.compile(rb"(\d+) 0 R")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_TRAILER = re.compile(rb"trailer\s*(<<.*>>)\s*startxref", re.S)
_OBJECT = re.compile(rb"(\d+) 0 obj\s*")  # its body runs to the first "endobj", less the whitespace before it
_MOD_DATE = re.compile(rb"/ModDate\s*\(D:[0-9Z+\-']*\)")
_ID = re.compile(rb"/ID\s*\[\s*\(([A-Za-z0-9+/=]*)\)")
_STREAM = re.compile(rb"^(<<.*?>>)\s*stream\r?\n", re.S)
_LENGTH = re.compile(rb"/Length\s+(\d+)")


_ENTRIES = {key: re.compile(re.escape(key) + rb"\s+(\d+) 0 R") for key in (b"/Root", b"/Info", b"/Pages", b"/Metadata")}


def _entry(trailer: bytes, key: bytes) -> int | None:
    found = _ENTRIES[key].search(trailer)
    return int(found.group(1)) if found else None


def pdf_text(value: str) -> bytes:
    """A PDF text string: UTF-16BE with its byte order mark, in hex."""
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"


def pdf_date(at: datetime) -> bytes:
    return at.strftime("D:%Y%m%d%H%M%SZ").encode()


@dataclass(frozen=True)
class Appearance:
    """The seal's appearance as pyHanko makes it (a form XObject drawing the court's seal page, with every
    object that page needs), kept as serialised objects whose references to one another are numbered from
    0: each document's update renumbers them after its own objects. ``root`` is the form's index."""

    objects: tuple[tuple[bytes, ...], ...]  # each: its bytes, split where a reference's number goes
    refs: tuple[tuple[int, ...], ...]  # the index each split refers to
    root: int

    @classmethod
    def make(cls, style: StaticStampStyle, box: tuple[int, int, int, int]) -> Appearance:
        writer = PdfFileWriter()
        width, height = box[2] - box[0], box[3] - box[1]
        stamp = style.create_stamp(writer, BoxConstraints(width=width, height=height), {})
        top = stamp.register()
        order: list[int] = []
        seen: set[int] = set()

        def visit(obj: generic.PdfObject) -> None:
            if isinstance(obj, generic.IndirectObject):
                if obj.idnum not in seen:
                    seen.add(obj.idnum)
                    order.append(obj.idnum)
                    visit(obj.get_object())
            elif isinstance(obj, generic.DictionaryObject):  # a stream too
                for value in obj.values():
                    visit(value)
            elif isinstance(obj, generic.ArrayObject):
                for value in obj:
                    visit(value)

        visit(top)
        index = {idnum: i for i, idnum in enumerate(order)}
        objects, refs = [], []
        for idnum in order:
            obj = writer.get_object(generic.Reference(idnum, 0, writer))
            out = io.BytesIO()
            obj.write_to_stream(out, None, None)
            raw = out.getvalue()
            head, tail = raw, b""
            if isinstance(obj, generic.StreamObject):
                at = raw.index(b"\nstream\n")
                head, tail = raw[:at], raw[at:]
            pieces, targets, last = [], [], 0
            for found in _REF.finditer(head):
                target = int(found.group(1))
                if target not in index:
                    raise ValueError(f"the seal's appearance refers outside itself: {target}")
                pieces.append(head[last : found.start()])
                targets.append(index[target])
                last = found.start(1) + len(found.group(1))  # the " 0 R" stays in the next piece
            pieces.append(head[last:] + tail)
            objects.append(tuple(pieces))
            refs.append(tuple(targets))
        return cls(tuple(objects), tuple(refs), index[top.idnum])

    def written(self, first: int) -> list[bytes]:
        """The objects numbered from ``first`` on."""
        out = []
        for pieces, targets in zip(self.objects, self.refs, strict=True):
            parts = [pieces[0]]
            for piece, target in zip(pieces[1:], targets, strict=True):
                parts.append(str(first + target).encode())
                parts.append(piece)
            out.append(b"".join(parts))
        return out


@dataclass(frozen=True)
class Plan:
    """What one document's update needs from it: the objects it changes, as they are, and its trailer."""

    size: int
    startxref: int
    first_id: bytes
    catalog: tuple[int, bytes]
    info: tuple[int, bytes]
    metadata: tuple[int, bytes, bytes]  # its number, its dictionary, its XMP
    page: tuple[int, bytes]


def plan(pdf: bytes) -> Plan | None:
    """The document's update plan, or None when it is not of the shape this writer handles."""
    tail = pdf[-1024:]
    end = _STARTXREF.search(tail)
    if end is None:
        return None
    startxref = int(end.group(1))
    if pdf[startxref : startxref + 4] != b"xref":
        return None  # a cross-reference stream
    trailer_at = pdf.find(b"trailer", startxref)
    found = _TRAILER.search(pdf, trailer_at) if trailer_at > 0 else None
    if found is None:
        return None
    trailer = found.group(1)
    if any(key in trailer for key in (b"/Prev", b"/Encrypt", b"/XRefStm")):
        return None
    size_at = re.search(rb"/Size\s+(\d+)", trailer)
    root, info = _entry(trailer, b"/Root"), _entry(trailer, b"/Info")
    first_id = _ID.search(trailer)
    if size_at is None or root is None or info is None or first_id is None:
        return None
    offsets = _xref(pdf[startxref:trailer_at])
    if offsets is None:
        return None

    def read(number: int) -> bytes | None:
        at = offsets.get(number)
        head = _OBJECT.match(pdf, at) if at is not None else None
        if head is None or int(head.group(1)) != number:
            return None
        # Found, not matched lazily to the end: a regular expression tried "endobj" at each of the XMP's bytes.
        end = pdf.find(b"endobj", head.end())
        return pdf[head.end() : end].rstrip() if end >= 0 else None

    catalog, info_dict = read(root), read(info)
    if not _plain_dict(catalog) or not _plain_dict(info_dict):
        return None
    assert catalog is not None and info_dict is not None
    if any(key in catalog for key in (b"/AcroForm", b"/Extensions", b"/Version", b"/Perms")):
        return None
    if len(_MOD_DATE.findall(info_dict)) != 1 or b"/Producer" in info_dict:
        return None
    pages, metadata = _entry(catalog, b"/Pages"), _entry(catalog, b"/Metadata")
    if pages is None or metadata is None:
        return None
    tree = read(pages)
    kids = re.search(rb"/Kids\s*\[([0-9 R\s]*)\]", tree or b"")
    if kids is None:
        return None
    numbers = [int(n) for n in _REF.findall(kids.group(1))]
    page = read(numbers[-1]) if numbers else None
    if not _plain_dict(page) or not re.search(rb"/Type\s*/Page(?![a-zA-Z])", page or b""):
        return None
    assert page is not None
    if b"/Annots" in page:
        return None
    stream = read(metadata)
    head = _STREAM.match(stream or b"")
    if stream is None or head is None or b"/Filter" in head.group(1):
        return None
    length = _LENGTH.search(head.group(1))
    if length is None:
        return None
    xmp = stream[head.end() : head.end() + int(length.group(1))]
    return Plan(
        size=int(size_at.group(1)),
        startxref=startxref,
        first_id=first_id.group(1),
        catalog=(root, catalog),
        info=(info, info_dict),
        metadata=(metadata, head.group(1), xmp),
        page=(numbers[-1], page),
    )


def _plain_dict(body: bytes | None) -> bool:
    return body is not None and body.startswith(b"<<") and body.endswith(b">>") and b"stream" not in body


def _xref(table: bytes) -> dict[int, int] | None:
    """The object offsets of one classic cross-reference section."""
    lines = table.split(b"\n")
    if lines[0].strip() != b"xref":
        return None
    offsets: dict[int, int] = {}
    i = 1
    while i < len(lines) and lines[i].strip():
        head = lines[i].split()
        if len(head) != 2:
            return None
        start, count = int(head[0]), int(head[1])
        for k in range(count):
            entry = lines[i + 1 + k].split()
            if len(entry) != 3:
                return None
            if entry[2] == b"n":
                offsets[start + k] = int(entry[0])
        i += 1 + count
    return offsets


# pyHanko's entries for a PAdES seal with ECDSA (ETSI's PAdES extension, ISO 32002), as it writes them.
_EXTENSIONS = (
    b"/Extensions<</ESIC<</Type/DeveloperExtensions/BaseVersion/1.7/ExtensionLevel 1>>"
    b"/ISO_[<</Type/DeveloperExtensions/BaseVersion/2.0/ExtensionLevel 32002"
    b"/URL(https://www.iso.org/standard/45875.html)/ExtensionRevision(:2022)>>]>>/Version/2.0"
)


@dataclass(frozen=True)
class Update:
    """The document and its update, with room for the signature: ``covered`` are the byte ranges the
    signature covers; :meth:`signed` puts the CMS (hex) in the room left between them."""

    pdf: bytes
    contents_at: int  # the '<' of /Contents
    contents_end: int  # after its '>'

    def covered(self) -> tuple[bytes, bytes]:
        return self.pdf[: self.contents_at], self.pdf[self.contents_end :]

    def signed(self, cms: bytes) -> bytes:
        room = self.contents_end - self.contents_at - 2
        hexed = cms.hex().encode()
        if len(hexed) > room:
            raise ValueError(f"the signature ({len(cms)} bytes) does not fit the room reserved for it")
        return self.pdf[: self.contents_at + 1] + hexed + self.pdf[self.contents_at + 1 + len(hexed) :]


def write(
    pdf: bytes,
    p: Plan,
    appearance: Appearance,
    edited_xmp: bytes,
    at: datetime,
    *,
    field_name: str,
    box: tuple[int, int, int, int],
    name: str,
    reason: str,
    signature_bytes: int,
) -> Update:
    """``pdf`` with the seal's update appended, its signature left to fill."""
    acroform, widget, signature = p.size, p.size + 1, p.size + 2
    first = p.size + 3  # the appearance's objects
    page_number, page = p.page
    catalog_number, catalog = p.catalog
    info_number, info = p.info
    meta_number, meta_head, _ = p.metadata
    date = pdf_date(at)
    objects: dict[int, bytes] = {
        page_number: page[:-2] + b"/Annots[%d 0 R]>>" % widget,
        info_number: _MOD_DATE.sub(b"/ModDate(" + date + b")", info[:-2], count=1)
        + b"/Producer"
        + pdf_text(VENDOR)
        + b">>",
        meta_number: _LENGTH.sub(b"/Length %d" % len(edited_xmp), meta_head, count=1)
        + b"\nstream\n"
        + edited_xmp
        + b"\nendstream",
        catalog_number: catalog[:-2] + b"/AcroForm %d 0 R" % acroform + _EXTENSIONS + b">>",
        acroform: b"<</Fields[%d 0 R]/SigFlags 3>>" % widget,
        widget: b"<</FT/Sig/T"
        + pdf_text(field_name)
        + b"/Type/Annot/Subtype/Widget/F 132/Rect[%d %d %d %d]" % box
        + b"/P %d 0 R/AP<</N %d 0 R>>/V %d 0 R>>" % (page_number, first + appearance.root, signature),
    }
    for i, body in enumerate(appearance.written(first)):
        objects[first + i] = body
    # Spaced as pyHanko spaces them, for readers that look for them so.
    byte_range_room = b"/ByteRange [0 " + b" " * 32 + b"]"
    signature_head = (
        b"<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/M("
        + date
        + b")/Name"
        + pdf_text(name)
        + b"/Reason"
        + pdf_text(reason)
        + byte_range_room
        + b"/Contents "
    )
    placeholder = b"<" + b"0" * signature_bytes + b">"  # hex digits, as pyHanko's bytes_reserved
    objects[signature] = signature_head + placeholder + b">>"

    out = [pdf if pdf.endswith(b"\n") else pdf + b"\n"]
    position = len(out[0])
    offsets: dict[int, int] = {}
    contents_at = 0
    for number in sorted(objects):
        body = b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
        offsets[number] = position
        if number == signature:
            contents_at = position + len(b"%d 0 obj\n" % number) + len(signature_head)
        out.append(body)
        position += len(body)
    xref_at = position
    table = [b"xref\n0 1\n0000000000 65535 f\r\n"]
    numbers = sorted(offsets)
    run: list[int] = []
    for number in [*numbers, -1]:
        if run and number != run[-1] + 1:
            table.append(b"%d %d\n" % (run[0], len(run)))
            table.extend(b"%010d 00000 n\r\n" % offsets[n] for n in run)
            run = []
        if number >= 0:
            run.append(number)
    size = max(numbers) + 1
    new_id = secrets.token_bytes(16).hex().encode()
    table.append(
        b"trailer\n<</Size %d/Root %d 0 R/Info %d 0 R/ID[<%s><%s>]/Prev %d>>\nstartxref\n%d\n%%%%EOF\n"
        % (size, catalog_number, info_number, p.first_id.hex().encode(), new_id, p.startxref, xref_at)
    )
    out.extend(table)
    whole = b"".join(out)
    contents_end = contents_at + len(placeholder)
    ranges = b"0 %d %d %d" % (contents_at, contents_end, len(whole) - contents_end)
    room_at = whole.rindex(byte_range_room, 0, contents_at)
    filled = b"/ByteRange [" + ranges.ljust(len(byte_range_room) - len(b"/ByteRange []")) + b"]"
    whole = whole[:room_at] + filled + whole[room_at + len(byte_range_room) :]
    return Update(whole, contents_at, contents_end)
