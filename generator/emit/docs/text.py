"""Text of the documentation site: Markdown descriptions and HTML ids.

Descriptions are Markdown rendered by markdown-it-py with raw HTML disabled, so nothing a
spec writes runs in the page; only safe link schemes survive.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")
_SAFE_LINK = re.compile(r"^(https?:|mailto:|#|/|\.)", re.IGNORECASE)
# One line of prose with nothing CommonMark would read as markup: rendered as one escaped paragraph.
_PLAIN = re.compile(r"[A-Za-z(\"'][^\n\r\t*_`\[\]<>&\\!#|~{}]*[^\s\n\r\t*_`\[\]<>&\\!#|~{}]|[A-Za-z]")


@cache
def markdown(text: str) -> Markup:
    """Markdown to HTML with raw HTML escaped and only safe link schemes kept."""
    if not text:
        return Markup("")
    if _PLAIN.fullmatch(text):
        return Markup(f"<p>{escapeHtml(text)}</p>\n")
    html = _MARKDOWN.render(text)
    return Markup(re.sub(r'href="([^"]*)"', lambda m: m.group(0) if _SAFE_LINK.match(m.group(1)) else 'href="#"',
                         html))


def anchor(*parts: str) -> str:
    """An HTML id from parts: lowercase letters, digits and dashes only."""
    return "-".join(re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in parts if part)
