"""Forms of a user's strategy as text: its name, and its whole document in a text editor.

The forms only check what a field can check; the document itself is validated by the
service that saves it, whose problems come back here (`add_problems`) to be shown.
"""

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from strategies.rules import Problem
from strategies.rules.limits import MAX_BYTES
from strategies.services.mine import NAME_MAX_LENGTH

DOCUMENT_PROBLEMS = ngettext_lazy(
    "The document has %(count)d problem, listed below: nothing was saved.",
    "The document has %(count)d problems, listed below: nothing was saved.",
    "count",
)
NAME_TAKEN = _("You already have a strategy named “%(name)s”: pick another name.")
BLANK_NAME = _("Give the strategy a name.")


class StrategyNameForm(forms.Form):
    """A strategy's name: unique among the owner's strategies (the service says when not)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": BLANK_NAME},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def name_taken(self, name: str) -> None:
        self.add_error("name", NAME_TAKEN % {"name": name})


class DocumentForm(forms.Form):
    """The whole document as text, kept exactly as typed (no stripping) when it is refused."""

    text = forms.CharField(
        label=_("Document (YAML)"),
        strip=False,
        # Characters, not bytes: the parser refuses a text over 64 KB of UTF-8 itself.
        max_length=MAX_BYTES,
        help_text=_(
            "The strategy's rules in YAML (or JSON). When you save, the document is checked "
            "and stored in its canonical form: keys in a fixed order, default parameters "
            "written out."
        ),
        widget=forms.Textarea(
            attrs={
                "rows": 24,
                "class": "document-editor",
                "spellcheck": "false",
                "autocapitalize": "off",
                "autocomplete": "off",
                "wrap": "off",
                "data-line-numbers": "",
            }
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.problems: list[Problem] = []

    def add_problems(self, problems: Sequence[Problem]) -> None:
        """Show a refused document's problems: a summary on the field, the list beside it."""
        self.problems = list(problems)
        self.add_error("text", DOCUMENT_PROBLEMS % {"count": len(self.problems)})

    def typed_text(self) -> str:
        """The text as the user typed it, whether the form is valid or not."""
        return self.data.get(self.add_prefix("text"), "") if self.is_bound else ""


class NewStrategyForm(StrategyNameForm, DocumentForm):
    """A new strategy: its name and its first document."""

    field_order = ["name", "text"]
