"""The notes a strategy version carries: stored in English, shown in the reader's language.

A version's note is written once and read for years, by a user whose language may change:
the row keeps the English sentence (stable, greppable, what the admin shows) and pages
translate it on display by recognising which note it is.
"""

import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

CREATED = _("Created")
COPIED = _("Copied from %(slug)s v%(version)s")
PARAMETERS_EDITED = _("Parameters edited")
DOCUMENT_EDITED = _("Document edited")
RESTORED = _("Restored from version %(number)s")
FROM_STUDY = _("Parameters chosen by study %(study)s")


@dataclass(frozen=True)
class NoteKind:
    template: object  # a lazy translatable string with %(name)s placeholders
    pattern: re.Pattern[str]  # the English text it stores, placeholders as named groups


KINDS = (
    NoteKind(CREATED, re.compile(r"^Created$")),
    NoteKind(COPIED, re.compile(r"^Copied from (?P<slug>[-\w]+) v(?P<version>\d+)$")),
    NoteKind(PARAMETERS_EDITED, re.compile(r"^Parameters edited$")),
    NoteKind(DOCUMENT_EDITED, re.compile(r"^Document edited$")),
    NoteKind(RESTORED, re.compile(r"^Restored from version (?P<number>\d+)$")),
    NoteKind(FROM_STUDY, re.compile(r"^Parameters chosen by study (?P<study>\d+)$")),
)


def stored_note(template: object, **values: object) -> str:
    """The English text of a note, as it is stored."""
    with translation.override("en"):
        return str(template) % values if values else str(template)


def note_text(stored: str) -> str:
    """A stored note in the active language; a note we do not recognise is shown as is."""
    for kind in KINDS:
        match = kind.pattern.match(stored)
        if match:
            values = match.groupdict()
            return str(kind.template) % values if values else str(kind.template)
    return stored
