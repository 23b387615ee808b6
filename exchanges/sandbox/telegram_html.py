"""Telegram's HTML formatting (Bot API, "Formatting options", HTML style): the parser that checks
a message as the Bot API does, and the renderer that shows one safely on the chat page.

Supported, as documented: ``<b>``/``<strong>``, ``<i>``/``<em>``, ``<u>``/``<ins>``,
``<s>``/``<strike>``/``<del>``, ``<tg-spoiler>`` and ``<span class="tg-spoiler">``,
``<a href="...">``, ``<code>``, ``<pre>`` (a ``<code class="language-x">`` right inside it names
the language), ``<blockquote>`` (optionally ``expandable``). Tag names are case-insensitive;
tags must be balanced and properly nested. Only ``&lt;`` ``&gt;`` ``&amp;`` ``&quot;`` and
numeric entities are decoded; any other ``&`` stays a literal character. A ``<`` always starts a
tag, so a literal ``<`` must be written ``&lt;``.

Errors follow the shape of the Bot API's ``can't parse entities: ...`` answers (byte offsets
count UTF-8 bytes of the text sent). Telegram does not document each wording: a client should
rely on the ``Bad Request: can't parse entities:`` prefix only.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

# Tag -> the entity type it makes (Bot API "MessageEntity" types).
TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
ENTITY = re.compile(
    r"&(?:#(?P<dec>[0-9]{1,7})|#[xX](?P<hex>[0-9A-Fa-f]{1,6})|(?P<name>[A-Za-z]+));"
)
# What the chat page shows for each tag: plain HTML with the same meaning.
DISPLAY = {
    "bold": "strong",
    "italic": "em",
    "underline": "u",
    "strikethrough": "s",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
SAFE_SCHEMES = ("http", "https", "tg", "mailto")


class HtmlError(ValueError):
    """Not valid Telegram HTML; the message is what follows ``can't parse entities: ``."""


@dataclass
class Text:
    text: str


@dataclass
class Open:
    tag: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class Close:
    tag: str


Token = Text | Open | Close


def utf16_length(text: str) -> int:
    """Telegram counts entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def tokenize(source: str) -> list[Token]:
    """The text runs and tags of `source`, entities decoded; HtmlError when Telegram would
    refuse it."""
    tokens: list[Token] = []
    open_tags: list[str] = []
    run: list[str] = []
    i = 0
    while i < len(source):
        decoded = _entity(source, i) if source[i] == "&" else None
        if decoded is not None:
            run.append(decoded[0])
            i = decoded[1]
        elif source[i] != "<":
            run.append(source[i])
            i += 1
        else:
            if run:
                tokens.append(Text("".join(run)))
                run = []
            closing = source.startswith("</", i)
            i = (_end_tag if closing else _start_tag)(source, i, open_tags, tokens)
    if run:
        tokens.append(Text("".join(run)))
    if open_tags:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return tokens


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """The message text Telegram keeps (tags removed, entities decoded) and its entities."""
    pieces: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[Open, int, dict[str, str]]] = []  # tag, where it began, what it learnt
    offset = 0
    for token in tokenize(source):
        if isinstance(token, Text):
            pieces.append(token.text)
            offset += utf16_length(token.text)
        elif isinstance(token, Open):
            stack.append((token, offset, {}))
        else:
            opened, start, learnt = stack.pop()
            entity = _entity_of(opened, learnt, stack)
            if entity is not None and offset > start:
                entities.append({**entity, "offset": start, "length": offset - start})
    # By offset, the longer (outer) first; on the same span, the outer (closed later) first.
    order = sorted(enumerate(entities), key=lambda p: (p[1]["offset"], -p[1]["length"], -p[0]))
    return "".join(pieces), [entity for _, entity in order]


def trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Leading and trailing whitespace removed, as Telegram stores a message, entities moved."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_length(text[: len(text) - len(text.lstrip())])
    size = utf16_length(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def render_html(source: str) -> str:
    """`source` (Telegram HTML) as HTML safe to put in a page: only the supported tags, turned
    into their plain equivalents; links only to http(s), tg and mailto; everything else escaped.
    Text that does not parse is shown escaped, as it was sent."""
    try:
        tokens = tokenize(source)
    except HtmlError:
        return html.escape(source)
    out: list[str] = []
    closers: list[str] = []
    for token in tokens:
        if isinstance(token, Text):
            out.append(html.escape(token.text))
        elif isinstance(token, Close):
            out.append(closers.pop())
        else:
            opening, closing = _display_tag(token)
            out.append(opening)
            closers.append(closing)
    return "".join(out)


# --- the parser's pieces -----------------------------------------------------------------------


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _entity(source: str, index: int) -> tuple[str, int] | None:
    match = ENTITY.match(source, index)
    if match is None:
        return None
    if match["name"]:
        char = NAMED_ENTITIES.get(match["name"])
        return None if char is None else (char, match.end())
    code = int(match["dec"]) if match["dec"] else int(match["hex"], 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _decode(raw: str) -> str:
    return ENTITY.sub(lambda m: (_entity(m.group(0), 0) or (m.group(0), 0))[0], raw)


def _name_end(source: str, index: int) -> int:
    while index < len(source) and not source[index].isspace() and source[index] != ">":
        index += 1
    return index


def _start_tag(source: str, start: int, open_tags: list[str], tokens: list[Token]) -> int:
    end = _name_end(source, start + 1)
    if end >= len(source):
        raise HtmlError(f"Unclosed start tag at byte offset {_byte_offset(source, start)}")
    tag = source[start + 1 : end].lower()
    if tag not in TAGS:
        raise HtmlError(
            f'Unsupported start tag "{tag}" at byte offset {_byte_offset(source, start)}'
        )
    attributes, end = _attributes(source, end, tag, start)
    if tag == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(source, start)}'
        )
    open_tags.append(tag)
    tokens.append(Open(tag, attributes))
    return end


def _attributes(source: str, i: int, tag: str, start: int) -> tuple[dict[str, str], int]:
    """The attributes from `i` to the tag's ``>``, and the index after it."""
    attributes: dict[str, str] = {}
    unclosed = HtmlError(f"Unclosed start tag at byte offset {_byte_offset(source, start)}")
    while True:
        while i < len(source) and source[i].isspace():
            i += 1
        if i >= len(source):
            raise unclosed
        if source[i] == ">":
            return attributes, i + 1
        name_start = i
        while i < len(source) and (source[i].isalnum() or source[i] in "-_:"):
            i += 1
        name = source[name_start:i].lower()
        if not name:
            raise HtmlError(
                f'Empty attribute name in the tag "{tag}" at byte offset '
                f"{_byte_offset(source, start)}"
            )
        while i < len(source) and source[i].isspace():
            i += 1
        if i >= len(source) or source[i] != "=":
            attributes[name] = ""
            continue
        i += 1
        while i < len(source) and source[i].isspace():
            i += 1
        if i >= len(source):
            raise unclosed
        if source[i] in "\"'":
            close = source.find(source[i], i + 1)
            if close < 0:
                raise unclosed
            raw, i = source[i + 1 : close], close + 1
        else:
            value_start, i = i, _name_end(source, i)
            raw = source[value_start:i]
        attributes[name] = _decode(raw)


def _end_tag(source: str, start: int, open_tags: list[str], tokens: list[Token]) -> int:
    if not open_tags:
        raise HtmlError(f"Unexpected end tag at byte offset {_byte_offset(source, start)}")
    end = _name_end(source, start + 2)
    name = source[start + 2 : end].lower()
    while end < len(source) and source[end].isspace():
        end += 1
    if end >= len(source) or source[end] != ">":
        raise HtmlError(f"Unclosed end tag at byte offset {_byte_offset(source, start)}")
    expected = open_tags[-1]
    if name and name != expected:
        raise HtmlError(
            f"Unmatched end tag at byte offset {_byte_offset(source, start)}, "
            f'expected "</{expected}>", found "</{name}>"'
        )
    open_tags.pop()
    tokens.append(Close(expected))
    return end + 1


def _entity_of(
    opened: Open, learnt: dict[str, str], outer: list[tuple[Open, int, dict[str, str]]]
) -> dict[str, Any] | None:
    kind = TAGS[opened.tag]
    if kind == "code" and outer and outer[-1][0].tag == "pre":
        language = opened.attributes.get("class", "")
        if language.startswith("language-") and len(language) > len("language-"):
            outer[-1][2]["language"] = language.removeprefix("language-")
            return None  # the <pre> carries it: one "pre" entity with its language
    if kind == "pre" and "language" in learnt:
        return {"type": "pre", "language": learnt["language"]}
    if kind == "text_link":
        # Telegram keeps a link it understands (a bare host gets http://) and silently drops
        # the others, leaving their text plain.
        url = opened.attributes.get("href", "").strip()
        scheme = _scheme(url)
        if url and not scheme:
            url = "http://" + url
        elif scheme not in SAFE_SCHEMES:
            return None
        return {"type": "text_link", "url": url}
    if kind == "blockquote" and "expandable" in opened.attributes:
        return {"type": "expandable_blockquote"}
    return {"type": kind}


def _display_tag(token: Open) -> tuple[str, str]:
    kind = TAGS[token.tag]
    if kind == "spoiler":
        return '<span class="spoiler" tabindex="0">', "</span>"
    if kind == "text_link":
        href = token.attributes.get("href", "")
        if _scheme(href) in SAFE_SCHEMES:
            link = f'<a href="{html.escape(href)}" rel="noopener noreferrer nofollow">'
            return link, "</a>"
        return "<span>", "</span>"
    tag = DISPLAY[kind]
    return f"<{tag}>", f"</{tag}>"


def _scheme(url: str) -> str:
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:  # "http://[" and the like: not a link worth following
        return ""
