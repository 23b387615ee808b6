"""The only door from strategies' pure core (rules, indicators, engine) to Django: translation.

import-linter can only forbid Django as a whole, so the core may import Django solely through
this module (translation and lazy text, nothing else), and the contract in pyproject.toml
checks that it never reaches the ORM.
"""

from django.utils.functional import Promise, lazy
from django.utils.translation import (
    gettext_lazy,
    ngettext_lazy,
    override,
    pgettext_lazy,
)

__all__ = [
    "Promise",
    "gettext_lazy",
    "lazy",
    "ngettext_lazy",
    "override",
    "pgettext_lazy",
]
