"""read_text: the document's text to raw data and lines, or DocumentError.

Bounds come first and cost nothing: the length, then the encoding, then the characters. Text
that opens like JSON ({" or [) is read as JSON only; anything else, a YAML flow mapping
({name: ...}) included, is read as YAML.
"""

import json
import re

from strategies.rules import messages
from strategies.rules.limits import MAX_BYTES
from strategies.rules.problems import DocumentError, Lines, Problem, lazy_format
from strategies.rules.reading.json_text import read_json
from strategies.rules.reading.yaml_text import read_yaml

# Tab, line feed and carriage return are the only control characters a document needs.
JSON_OPENING = re.compile(r'\s*(\{\s*"|\[)')
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def read_text(text: str | bytes) -> tuple[object, Lines | None]:
    """Raw data and the line of each path (None where JSON could not be mapped to lines)."""
    text = decoded(text)
    bad = CONTROL.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise DocumentError([Problem("", messages.BAD_CHARACTER, line)])
    if not JSON_OPENING.match(text):
        return read_yaml(text)
    try:
        return read_json(text)
    except json.JSONDecodeError as error:
        message = lazy_format(messages.NOT_JSON, column=error.colno)
        raise DocumentError([Problem("", message, error.lineno)]) from None
    except DocumentError:
        raise
    except ValueError:  # an integer past Python's digit limit (DocumentError is one too)
        raise DocumentError([Problem("", messages.INVALID)]) from None


def decoded(text: str | bytes) -> str:
    too_large = DocumentError(
        [Problem("", lazy_format(messages.TOO_LARGE, limit=MAX_BYTES // 1024))]
    )
    if len(text) > MAX_BYTES:
        raise too_large
    try:
        size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8"))
        text = text.decode("utf-8") if isinstance(text, bytes) else text
    except UnicodeError:
        raise DocumentError([Problem("", messages.NOT_UTF8)]) from None
    if size > MAX_BYTES:
        raise too_large
    return text.removeprefix("\ufeff")
