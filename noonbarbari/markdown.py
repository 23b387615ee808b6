"""Markdown for staff-edited text (guides, the strategy catalog): CommonMark rendered by
markdown-it-py, then sanitised by nh3.

Raw HTML in the source is parsed and then stripped by the allow-list (never merely escaped),
so a `<script>`, an `onerror=` attribute or a `javascript:` link in staff content never reaches
a page.
"""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": True})

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h3", "h4", "hr", "kbd", "li", "ol", "p", "pre",
    "strong", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"https", "http", "mailto"}


def render_markdown(text: str) -> SafeString:
    """Markdown source to sanitised HTML, safe to put in a template as is."""
    if not text or not text.strip():
        return mark_safe("")
    html = _renderer.render(text)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 output is sanitised by construction
