"""What a browser posts for a form of a server-rendered page: every named input with its shown value (a
checkbox or radio only when ticked, no file input), each select's chosen option (else its first), each
textarea's text — hidden fields such as the CSRF token included. The UI bench clicks through it, and the
tests that post a page's form as a browser would."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self, wanted: Callable[[dict[str, str]], bool]) -> None:
        super().__init__()
        self.wanted = wanted
        self.values: dict[str, str] = {}
        self.action: str | None = None
        self.found = False
        self._select: str | None = None
        self._first: bool = False
        self._textarea: str | None = None
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.found and self.wanted(a):
            self.inside = self.found = True
            self.action = a.get("action")
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") != "file":
                self.values[a["name"]] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select":
            self._select, self._first = a["name"], True
        elif tag == "option" and self._select is not None:
            if self._first or "selected" in a:
                self.values[self._select] = a.get("value", "")
            self._first = False
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False


def shown_form(html: str, wanted: Callable[[dict[str, str]], bool]) -> tuple[str | None, dict[str, str]] | None:
    """The first form whose attributes ``wanted`` accepts: its action and the values a browser would send
    as the page shows them, or None when the page has no such form."""
    parser = _Form(wanted)
    parser.feed(html)
    return (parser.action, parser.values) if parser.found else None
