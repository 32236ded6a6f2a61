"""The plain-text part of a mail written as HTML: paragraphs, line breaks, list items and
quotes kept as lines, links with their address, entities decoded. Pure."""

from __future__ import annotations

import html
import re

import nh3

_BREAK = re.compile(r"<br\s*/?>", re.I)
_BLOCK_END = re.compile(r"</(p|div|h[1-6]|li|blockquote|pre|tr)>", re.I)
_ITEM = re.compile(r"<li[^>]*>", re.I)
_LINK = re.compile(r'<a\s[^>]*href="([^"]*)"[^>]*>(.*?)</a>', re.I | re.S)
_BLANK_LINES = re.compile(r"\n{3,}")


def text_of(markup: str) -> str:
    """``<p>Hi <b>Anna</b></p><ul><li>one</li></ul>`` -> ``Hi Anna\\n- one``."""

    def link(match: re.Match[str]) -> str:
        address, label = html.unescape(match.group(1)), match.group(2)
        plain = nh3.clean(label, tags=set()).strip()
        if address in (plain, f"mailto:{plain}"):
            return plain
        return f"{label} &lt;{html.escape(address)}&gt;"  # text, not a tag, until unescaped

    text = _LINK.sub(link, markup)
    text = _BREAK.sub("\n", text)
    text = _ITEM.sub("- ", text)
    text = _BLOCK_END.sub("\n", text)
    text = html.unescape(nh3.clean(text, tags=set()))
    lines = [line.rstrip() for line in text.replace("\xa0", " ").splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
