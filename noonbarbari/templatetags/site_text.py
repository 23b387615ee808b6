from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from noonbarbari.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.filter
def percent(value: Decimal | None) -> str:
    """A fee in percent, in the active locale: "0.25%" in English, "0,25 %" in French."""
    if value is None:
        return ""
    exponent = value.normalize().as_tuple().exponent
    decimals = max(2, -exponent) if isinstance(exponent, int) else 2
    # Translators: a percentage; French puts a no-break space before the sign.
    return gettext("%(number)s%%") % {"number": number_format(value, decimals)}
