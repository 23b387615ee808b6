"""French typography of our texts: a no-break space before ": ; ? ! »", after "«", and inside
grouped numbers ("10 000"), so that punctuation never starts a line; and the typographic
apostrophe (U+2019), never the typewriter one (').

Only prose is read: code spans and blocks (`…`, <code>…</code>), URLs, link targets, HTML tags
and their attributes, template tags, placeholders (%(name)s, {name}) and the exchanges' own
strings (error messages, permission labels, identical in the English file) are left as they are.
The fixer turns an elision's apostrophe (l'ordre, N'active, l'**API Key**) into U+2019; any other
straight quote in prose is only reported, since a program cannot tell what it stands for.
Run the fixer after merging branches that add French text:

    .venv/bin/python -m tests.french_typography          # fixes the files, names them
    .venv/bin/python -m tests.french_typography --check  # only lists the problems
"""

import itertools
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
TOML_GLOBS = ("guides/content/*/fr.toml", "strategies/content/*/fr.toml")
# Keys whose values are identifiers, never prose.
IDENTIFIER_KEYS = frozenset({"anchor", "slug"})
# Keys whose values are mostly the exchange's own words (an error message, a permission's label),
# shown as the exchange shows them in both languages. A value that the English file does not
# hold under such a key is ours ("Pourquoi le test dit-il … ?") and is prose like the rest.
EXCHANGE_WORDS_KEYS = frozenset({"error", "label"})
VERBATIM_KEYS = IDENTIFIER_KEYS | EXCHANGE_WORDS_KEYS

NBSP = "\u00a0"  # before ":" and inside « »: a word space that does not break
NNBSP = "\u202f"  # before ";", "!", "?" and between digit groups: a thin one
APOSTROPHE = "\u2019"  # the typographic apostrophe; the straight one is for code

_PROTECTED = re.compile(
    r"```.*?```"  # fenced code
    r"|`[^`\n]*`"  # code span
    r"|<(?P<code>code|pre|kbd)\b[^<>]*>.*?</(?P=code)>"  # code in HTML, its tags included
    r"|\{%.*?%\}"  # template tag
    r"|\]\([^)\s]*\)"  # Markdown link target
    r"|<[^<>\n]*>"  # HTML tag
    r"|&(?:[a-z]+|#\d+);"  # HTML entity
    r"|\b(?:https?|mailto|ftp):[^\s<>\"')\]]*"  # URL
    r"|%\([^)\n]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%%|%[sdif]"  # printf placeholders
    r"|\{\{.*?\}\}|\{[a-z_][a-z0-9_.]*\}",  # template and format placeholders
    re.DOTALL,
)
# Each protected span is masked by one private-use character while the prose is fixed: the
# rules see "a word" there (so «%(name)s» is handled) but never change its inside.
_MASK_BASE = 0xF0000
_WORD = r"A-Za-zÀ-ÿ0-9)*\U000f0000-\U000ffffd"
_SPACES = " \t"
_FIXES = (
    (re.compile(r"[ \t]+(?=:)"), NBSP),
    (re.compile(r"[ \t]+(?=[;!?])"), NNBSP),
    (re.compile(rf"(?<=[{_WORD}])(?=[;!?](?:\s|$|\*|\)))"), NNBSP),
    (re.compile(rf"[{_SPACES}]+(?=»)|(?<=[{_WORD}.!?…])(?=»)"), NBSP),
    (re.compile(rf"(?<=«)(?:[{_SPACES}]+|(?=[{_WORD}]))"), NBSP),
)
_NUMBER_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0]\d{3})+(?!\d)")
# An elision: a letter, the quote, then a word, Markdown emphasis or a masked span (l'**API**,
# d'%(exchange)s). A quote after or before a space opens or closes a quotation, or a TOML
# literal string ('''…'''): a person decides what it becomes.
_LETTER = "A-Za-zÀ-ÖØ-öø-ÿœŒ"
_ELISION = re.compile(rf"(?<=[{_LETTER}])'(?=[{_LETTER}0-9*_\U000f0000-\U000ffffd])")


def _fix_prose(prose: str) -> str:
    for pattern, space in _FIXES:
        prose = pattern.sub(space, prose)
    prose = _ELISION.sub(APOSTROPHE, prose)
    return _NUMBER_GROUPS.sub(lambda m: re.sub(r"[ \u00a0]", NNBSP, m.group()), prose)


def _on_prose(text: str, change: Callable[[str], str]) -> str:
    spans: list[str] = []

    def mask(match: re.Match[str]) -> str:
        spans.append(match.group())
        return chr(_MASK_BASE + len(spans) - 1)

    changed = change(_PROTECTED.sub(mask, text))
    return re.sub("[\U000f0000-\U000ffffd]", lambda m: spans[ord(m.group()) - _MASK_BASE], changed)


def fix(text: str) -> str:
    """The text with French no-break spaces where its prose needs them; the rest untouched."""
    return _on_prose(text, _fix_prose)


def problems(text: str) -> list[str]:
    """Excerpts of the text around each spot that fix() would change (empty when correct)."""
    found: list[str] = []

    def collect(prose: str) -> str:
        for pattern, space in _FIXES:
            found.extend(_excerpt(prose, m) for m in pattern.finditer(prose) if m.group() != space)
        groups = _NUMBER_GROUPS.finditer(prose)
        found.extend(_excerpt(prose, m) for m in groups if set(m.group()) & set(" \u00a0"))
        found.extend(_excerpt(prose, m) for m in re.finditer("'", prose))
        return prose

    _on_prose(text, collect)
    return found


def _excerpt(text: str, match: re.Match[str]) -> str:
    excerpt = text[max(0, match.start() - 30) : match.end() + 10].replace("\n", " ")
    return re.sub("[\U000f0000-\U000ffffd]", "…", excerpt)


# --- The .po file -------------------------------------------------------------------------------

_PO_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_MSGSTR = re.compile(r"^msgstr(?:\[\d+\])? ", re.MULTILINE)


def _po_unquote(lines: str) -> str:
    text = "".join(_PO_STRING.findall(lines))
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def _po_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"\n'


def po_msgstrs(path: Path = PO_FILE) -> Iterator[str]:
    """Every translated text of a .po file (each plural form), the header left out."""
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        for value in _msgstr_values(block):
            if value and not _is_header(block):
                yield value


def _is_header(block: str) -> bool:
    return '\nmsgid ""\nmsgstr' in f"\n{block}"


def _msgstr_values(block: str) -> list[str]:
    starts = [m.start() for m in _MSGSTR.finditer(block)] + [len(block)]
    return [_po_unquote(block[a:b].split(" ", 1)[1]) for a, b in itertools.pairwise(starts)]


def _fix_po_block(block: str) -> str:
    first = _MSGSTR.search(block)
    if _is_header(block) or first is None:
        return block
    head = block[: first.start()]
    rest = []
    for match, value in zip(_MSGSTR.finditer(block), _msgstr_values(block), strict=True):
        rest.append(match.group() + _po_quote(fix(value)))
    return head + "".join(rest).rstrip("\n")


def fix_po(path: Path = PO_FILE) -> bool:
    """Fixes every msgstr of the .po file, then lets msgcat wrap lines as makemessages does."""
    text = path.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    entries = [block for block in blocks if not _is_header(block)]
    if all(fix(value) == value for block in entries for value in _msgstr_values(block)):
        return False
    fixed = "\n\n".join(_fix_po_block(block) for block in blocks)
    path.write_text(fixed, encoding="utf-8")
    subprocess.run(["msgcat", "-o", str(path), str(path)], check=True)
    return True


# --- The content files --------------------------------------------------------------------------


def content_files() -> list[Path]:
    return sorted(path for pattern in TOML_GLOBS for path in ROOT.glob(pattern))


def toml_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(key path, text) for every prose string of a content file."""
    words = exchange_words(path)
    yield from _walk(tomllib.loads(path.read_text(encoding="utf-8")), "", words)


def exchange_words(path: Path) -> frozenset[str]:
    """What the English file beside a French one holds under the exchange-words keys."""
    english = path.with_name("en.toml")
    if not english.exists():
        return frozenset()
    data = tomllib.loads(english.read_text(encoding="utf-8"))
    return frozenset(text for key, text in _pairs(data) if key in EXCHANGE_WORDS_KEYS)


def _pairs(value: object, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, list):
        for item in value:
            yield from _pairs(item, key)
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _pairs(item, name)


def _is_verbatim(key: str, value: object, words: frozenset[str]) -> bool:
    if key in IDENTIFIER_KEYS:
        return True
    return key in EXCHANGE_WORDS_KEYS and isinstance(value, str) and value in words


def _walk(value: object, where: str, words: frozenset[str]) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{where}[{index}]", words)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not _is_verbatim(key, item, words):
                yield from _walk(item, f"{where}.{key}" if where else key, words)


_VERBATIM_LINE = re.compile(rf"^\s*({'|'.join(sorted(VERBATIM_KEYS))})\s*=")


def _line_is_verbatim(line: str, words: frozenset[str]) -> bool:
    match = _VERBATIM_LINE.match(line)
    if match is None:
        return False
    try:
        value = tomllib.loads(line)[match.group(1)]
    except tomllib.TOMLDecodeError:
        return True  # the first line of a longer value: left as it is
    return _is_verbatim(match.group(1), value, words)


def fix_toml(path: Path) -> bool:
    """Fixes the prose of a content file in place, line by line, keeping its layout."""
    text = path.read_text(encoding="utf-8")
    words = exchange_words(path)
    lines = text.splitlines(keepends=True)
    fixed = "".join(line if _line_is_verbatim(line, words) else fix(line) for line in lines)
    if fixed == text:
        return False
    tomllib.loads(fixed)  # still a valid file
    path.write_text(fixed, encoding="utf-8")
    return True


def all_problems() -> list[str]:
    """Every typography problem of the .po file and the content files, with where it is."""
    found = [f"django.po: {p!r}" for text in po_msgstrs() for p in problems(text)]
    for path in content_files():
        name = path.relative_to(ROOT).as_posix()
        found += [f"{name} {key}: {p!r}" for key, text in toml_texts(path) for p in problems(text)]
    return found


def main(argv: list[str]) -> int:
    if "--check" in argv:
        found = all_problems()
        print("\n".join(found) or "No problem.")
        return 1 if found else 0
    changed = [PO_FILE] if fix_po() else []
    changed += [path for path in content_files() if fix_toml(path)]
    for path in changed:
        print(f"fixed {path.relative_to(ROOT).as_posix()}")
    left = all_problems()
    print("\n".join(left) or "No problem left.")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
