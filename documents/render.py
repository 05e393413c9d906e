"""Templates to PDF/A with Typst (the ``typst`` package ships the compiler; no system library).

Templates are data: each folder ``workflows/<scenario>/documents/`` (and ``workflows/foundation/documents/`` for
what every scenario may issue) has a ``documents.json`` declaring its kinds — title, version, template
file, required fields, legal basis, whether the president signs — beside the ``.typ`` files. A court
carries its own version of a template in ``<folder>/courts/<court>/<template>.typ`` (as a court loads its
own 拒执 granule list); its declaration stays the folder's, so the fields and the title are the same.

Deterministic: the data go in as one canonical JSON file, the PDF's creation date is the document's
issue date (never the clock), and only the packaged Noto CJK fonts are used (system fonts ignored), so
the same request gives the same bytes — the hash sealed is the hash of what the template said.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import typst
from pydantic import BaseModel, Field

from domain.documents import DocumentKind, DocumentSpec, amount_in_words, check_fields, yuan_figures
from domain.errors import ValidationFailed

WORKFLOWS_DIR = Path(__file__).resolve().parents[1] / "workflows"
# Debian's fonts-noto-cjk (``make documents`` installs it); the Typst binary's own fonts have no CJK.
FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"),)
# PDF/A-2b (archival): every font embedded, metadata in XMP; the seal is an incremental update after it.
PDF_STANDARD: Literal["a-2b"] = "a-2b"
# The data reach a template as this in-memory file beside the main one (base.typ reads it), never as
# ``sys.inputs``: new inputs make Typst build and hash its standard library again and miss every cache
# keyed on it (~0.5 ms a document, docs/performance.md "render-cost"); the library stays the same.
DATA_FILE = "data.json"
_CN_DIGITS = "〇一二三四五六七八九"


class TemplateFolder(BaseModel):
    about: str = ""
    documents: list[DocumentSpec] = Field(min_length=1)


class RenderError(ValidationFailed):
    pass


def chinese_date(d: date) -> str:
    """2026-03-01 → 二〇二六年三月一日, as a document's date is written."""

    def small(n: int) -> str:
        tens, ones = divmod(n, 10)
        return ("" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")) + (
            _CN_DIGITS[ones] if ones else ""
        )

    return "".join(_CN_DIGITS[int(c)] for c in str(d.year)) + f"年{small(d.month)}月{small(d.day)}日"


class TemplateLibrary:
    """Every template the scenarios carry, by kind; a court's own version found first."""

    def __init__(self, root: Path = WORKFLOWS_DIR) -> None:
        self.root = root
        self.specs: dict[DocumentKind, DocumentSpec] = {}
        self._folders: dict[DocumentKind, Path] = {}
        self._paths: dict[tuple[DocumentKind, str], Path] = {}
        for manifest in sorted(root.glob("*/documents/documents.json")):
            folder = TemplateFolder.model_validate_json(manifest.read_text(encoding="utf-8"))
            for spec in folder.documents:
                if spec.kind in self.specs:
                    raise ValueError(f"document kind {spec.kind} declared twice ({manifest})")
                if not (manifest.parent / spec.template).is_file():
                    raise ValueError(f"{manifest}: template {spec.template} is missing")
                self.specs[spec.kind] = spec
                self._folders[spec.kind] = manifest.parent

    def spec(self, kind: DocumentKind) -> DocumentSpec:
        try:
            return self.specs[kind]
        except KeyError:
            raise RenderError("DOCUMENT_KIND_UNKNOWN", f"没有文书模板: {kind}", "kind") from None

    def template_path(self, kind: DocumentKind, court: str) -> Path:
        """The court's own template, else the folder's: looked for once per kind and court, as the
        declarations are read once (a template is deployed with the code; a process sees a new one when it
        starts); the paths and the file check were ~20 µs of every document."""
        found = self._paths.get((kind, court))
        if found is None:
            folder, spec = self._folders[kind], self.spec(kind)
            own = folder / "courts" / court / spec.template
            found = self._paths[(kind, court)] = own if own.is_file() else folder / spec.template
        return found

    def template_version(self, kind: DocumentKind, court: str) -> str:
        """The declared version, marked when the court's own template was used."""
        spec = self.spec(kind)
        own = self.template_path(kind, court) != self._folders[kind] / spec.template
        return f"{spec.version}+{court}" if own else spec.version


class Renderer:
    """One Typst compiler per process (it caches fonts and parsed templates); compiles are serialised."""

    def __init__(self, library: TemplateLibrary | None = None) -> None:
        self.library = library or TemplateLibrary()
        self._lock = threading.Lock()

    def check_fonts(self) -> None:
        """Raises unless the CJK fonts every document embeds are there. A worker checks when it starts: without
        them it would take every step that issues a document and fail it, retry after retry, with nothing to
        show but a stuck matter."""
        self._compiler  # noqa: B018  # made now, not at the first document

    @cached_property
    def _compiler(self) -> typst.Compiler:
        fonts = [str(d) for d in FONT_DIRS if d.is_dir() and any(d.glob("*CJK*"))]
        if not fonts:
            raise RuntimeError(
                "fonts-noto-cjk is not installed (Debian's package; `make documents` installs it): "
                "court documents cannot be rendered"
            )
        return typst.Compiler(root=str(self.library.root), font_paths=fonts, ignore_system_fonts=True)

    def render(
        self,
        kind: DocumentKind,
        court: str,
        case_number: str,
        number: str,
        issued_on: date,
        fields: dict[str, Any],
        president_name: str = "",
    ) -> bytes:
        """The PDF/A of one document; a missing required field fails before anything is compiled."""
        spec = self.library.spec(kind)
        check_fields(spec, fields)
        data = {
            "court": court,
            "title": spec.title,
            "case_number": case_number,
            "number": number,
            "date": chinese_date(issued_on),
            "basis": spec.basis,
            "president": spec.president or bool(president_name),
            "president_name": president_name,
            "fields": {k: _text(v) for k, v in fields.items() if v is not None},
            "money": {k: _money(v) for k, v in fields.items() if k.endswith("_fen") and v is not None},
            "keywords": [f"{k}={fields[k]}" for k in spec.machine if fields.get(k) is not None],
        }
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        template = self.library.template_path(kind, court)
        stamp = datetime(issued_on.year, issued_on.month, issued_on.day, tzinfo=UTC)
        with self._lock:
            try:
                pdf = self._compile(template, payload, stamp, PDF_STANDARD)
            except typst.TypstError as exc:
                raise RenderError(
                    "DOCUMENT_RENDER_FAILED", f"{spec.title}无法生成: {exc.message}", "template"
                ) from None
        assert isinstance(pdf, bytes)
        return pdf

    def render_seal(self, court: str) -> bytes:
        """The court's round red seal (电子印章) as a one-page vector PDF: the signature's appearance."""
        payload = json.dumps({"court": court}, ensure_ascii=False)
        with self._lock:
            pdf = self._compile(
                self.library.root / "foundation" / "documents" / "seal.typ", payload, datetime(2026, 1, 1, tzinfo=UTC)
            )
        assert isinstance(pdf, bytes)
        return pdf

    def _compile(
        self, template: Path, payload: str, stamp: datetime, standard: Literal["a-2b"] | None = None
    ) -> bytes | list[bytes] | None:
        """One compile of ``template`` reading ``payload`` as /data.json; the caller holds the lock."""
        files: dict[str, Path | bytes] = {"main.typ": template, DATA_FILE: payload.encode()}
        return self._compiler.compile(  # type: ignore[type-var]  # typst-py takes a dict of files; its stub lags
            input=files,
            format="pdf",
            pdf_standards=standard or [],
            timestamp=stamp,
        )


def _text(v: Any) -> Any:
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, list):
        return "\n".join(str(x) for x in v)
    if isinstance(v, date):  # a datetime too: the day is what a document prints
        return chinese_date(v)
    return v if isinstance(v, str) else str(v)


def _money(v: Any) -> dict[str, str]:
    fen = int(v)
    return {"words": amount_in_words(fen), "figures": yuan_figures(fen)}
