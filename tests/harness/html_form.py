"""What a browser would submit for a form on a page, read with the stdlib HTML parser: text
inputs with their values, checked boxes only, each select's chosen option, textareas. Tests
change these fields and post them back, as a user editing the page would."""

from __future__ import annotations

from html.parser import HTMLParser

Fields = list[tuple[str, str]]


class _FormReader(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.found = action, False, False
        self.fields: Fields = []
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: list[str] | None = None
        self._option_attrs: dict[str, str | None] = {}
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            posts = (a.get("method") or "get").lower() == "post"
            self.inside = a.get("action") == self.action and posts and not self.found
            self.found = self.found or self.inside
            return
        if tag == "option":
            if self._select is not None:
                self._option, self._option_attrs = [], a
            return
        name = a.get("name")
        if not self.inside or not name:
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "file"):
                self.fields.append((name, a.get("value") or ""))
        elif tag == "select":
            self._select = (name, [])
        elif tag == "textarea":
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option.append(data)
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._select is not None and self._option is not None:
            value = self._option_attrs.get("value")
            text = "".join(self._option).strip() if value is None else value
            self._select[1].append((text, "selected" in self._option_attrs))
            self._option = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            chosen = [v for v, selected in options if selected] or [v for v, _ in options[:1]]
            self.fields.extend((name, value) for value in chosen[:1])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea[0], "".join(self._textarea[1]).removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self.inside = False


def form_fields(html: str, action: str) -> Fields:
    """The fields of the first form that posts to ``action``, as a browser would send them."""
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.found, f"no form posts to {action}"
    return reader.fields


def with_values(fields: Fields, **changes: str) -> Fields:
    """The fields with some single values replaced (added when missing)."""
    names = {name for name, _ in fields}
    kept = [(n, changes.get(n, v)) for n, v in fields]
    return kept + [(n, v) for n, v in changes.items() if n not in names]
