"""What a scale-in (DCA) strategy commits, on its reports and run pages: the worst case at
the capital, every safety order filled (the fill model's point 11), beside the largest deal
the period actually held, so that a user sees both before the first crash shows them."""

from collections.abc import Iterable

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from strategies import rules
from strategies.engine.fills.sizing import worst_case


def ladder_text(
    document: rules.Document | None, capital: float, deals: Iterable[tuple[float, float]]
) -> list[str]:
    """Sentences on the ladder (none without one): the worst case at `capital`, and the
    largest of `deals` (amount, average entry price), the trades closed and the one open."""
    if document is None or document.safety_orders is None:
        return []
    worst = worst_case(document.sizing, document.safety_orders, capital)
    said = [
        _(
            "With every safety order filled, a deal commits up to %(worst)s of the quote "
            "currency at the starting capital of %(capital)s: %(share)s%% of it."
        )
        % {
            "worst": money(worst),
            "capital": money(capital),
            "share": number_format(round(100 * worst / capital, 2), 2),
        }
    ]
    largest = max((size * price for size, price in deals), default=None)
    if largest is not None:
        said.append(_("The largest deal here held %(amount)s.") % {"amount": money(largest)})
    return said


def money(amount: float) -> str:
    return number_format(amount, 2, force_grouping=True)
