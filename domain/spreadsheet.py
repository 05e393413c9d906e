"""CSV cells a spreadsheet will not run (公式注入防护; issue 23, item 5).

Excel, LibreOffice and WPS treat a cell beginning with ``=``, ``+``, ``-`` or ``@`` as a formula (and a
leading tab or carriage return is stripped before they look), so a payee named ``=cmd|' /C calc'!A0``
would run on the supervisor's machine. Every CSV the project writes for people goes through
:func:`safe_writer`, which puts a ``'`` before such a text cell: the spreadsheet shows the text as text.
Numbers are written as numbers; only text is touched.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet will show it, never run it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Writer(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


class SafeWriter:
    """``csv.writer`` whose text cells pass through :func:`safe_cell`."""

    def __init__(self, out: Any, **options: Any) -> None:
        self._w: _Writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._w.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(out: Any, **options: Any) -> SafeWriter:
    return SafeWriter(out, **options)
