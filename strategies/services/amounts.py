"""Amounts as a person reads them in the active language."""

from decimal import Decimal

from django.utils.formats import number_format


def amount(value: float) -> str:
    """Eight significant digits in the active language's number format."""
    return number_format(Decimal(f"{value:.8g}"), force_grouping=True)
