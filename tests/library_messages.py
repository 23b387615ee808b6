"""The Django and allauth messages our pages can show, read from the libraries' own sources.

Every gettext call with literal arguments in the modules below is a message a user of our pages
can meet (field errors, validators, password rules, allauth's account messages). The tests
resolve each one at runtime, in French, to check the whole site speaks with one voice.
"""

import ast
import importlib.util
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Modules whose messages reach our forms and pages. Packages are read recursively.
LIBRARY_MODULES = (
    "django.core.validators",
    "django.forms.fields",
    "django.forms.forms",
    "django.forms.models",
    "django.db.models.fields",
    "django.db.models.base",
    "django.contrib.auth.password_validation",
    "allauth.account",
    "allauth.core",
)
# Parts of allauth.account that never reach a user of our pages (the admin, the headless API
# and allauth's own tests).
SKIPPED_PARTS = ("tests", "admin.py", "headless")

_SINGULAR = {"gettext", "gettext_lazy", "gettext_noop", "_", "ugettext", "ugettext_lazy"}
_PLURAL = {"ngettext", "ngettext_lazy"}
_CONTEXT = {"pgettext", "pgettext_lazy"}
_CONTEXT_PLURAL = {"npgettext", "npgettext_lazy"}

# "vous", "votre", "vos", and the imperatives that go with them ("Saisissez", "Veuillez").
VOUS = re.compile(r"\b(vous|votre|vos|veuillez)\b", re.IGNORECASE)
VOUS_IMPERATIVE = re.compile(r"(?:^|[.!?:]\s+)(?!Chez\b|Assez\b)[A-ZÉÈ][a-zéèêàçîû]+ez\b")


def speaks_vous(text: str) -> bool:
    """True when a French text addresses the reader with "vous" (or a "vous" imperative)."""
    return bool(VOUS.search(text) or VOUS_IMPERATIVE.search(text))


@dataclass(frozen=True)
class Msgid:
    """One library message: its text, its plural and its context, as the sources write them."""

    singular: str
    plural: str | None = None
    context: str | None = None
    source: str = ""


def _source_files(module: str) -> Iterator[Path]:
    spec = importlib.util.find_spec(module)
    assert spec is not None, module
    assert spec.origin is not None, module
    origin = Path(spec.origin)
    if origin.name != "__init__.py":
        yield origin
        return
    for path in sorted(origin.parent.rglob("*.py")):
        relative = path.relative_to(origin.parent).as_posix()
        if not any(part in relative for part in SKIPPED_PARTS):
            yield path


def _call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


def _literals(node: ast.Call) -> list[str] | None:
    values = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
    if len(values) != len(node.args) and not all(isinstance(v, str) for v in values):
        return None
    strings = [v for v in values if isinstance(v, str)]
    return strings or None


def _msgid_of(node: ast.Call, source: str) -> Msgid | None:
    name, strings = _call_name(node), _literals(node)
    if not strings:
        return None
    if name in _SINGULAR:
        return Msgid(strings[0], source=source)
    if name in _PLURAL and len(strings) >= 2:
        return Msgid(strings[0], strings[1], source=source)
    if name in _CONTEXT and len(strings) >= 2:
        return Msgid(strings[1], context=strings[0], source=source)
    if name in _CONTEXT_PLURAL and len(strings) >= 3:
        return Msgid(strings[1], strings[2], strings[0], source=source)
    return None


def library_msgids() -> list[Msgid]:
    """Every message the library modules above mark for translation, once each."""
    found: dict[tuple[str, str | None, str | None], Msgid] = {}
    for module in LIBRARY_MODULES:
        for path in _source_files(module):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            source = f"{module}:{path.name}"
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and (msgid := _msgid_of(node, source)):
                    found.setdefault((msgid.singular, msgid.plural, msgid.context), msgid)
    return list(found.values())
