"""Every message a refused document can show, as whole translatable fragments.

A message follows its path ("entry.rules[0].op: unknown operator ..."), hence the lowercase
start. Pydantic's own English messages never reach users: `PYDANTIC_MESSAGES` maps each error
type the tree can raise to one of ours.
"""

from strategies.i18n import gettext_lazy as _

AT_LINE = _("line %(line)s: %(problem)s")

# Reading the text.
TOO_LARGE = _("the document is larger than %(limit)s KB")
NOT_UTF8 = _("the document is not UTF-8 text")
BAD_CHARACTER = _("the document contains a control character, which is not allowed")
NOT_YAML = _("this is not valid YAML (near column %(column)s)")
NOT_JSON = _("this is not valid JSON (near column %(column)s)")
ANCHOR = _("anchors (&%(name)s) are not allowed: write each value out in full")
ALIAS = _("aliases (*%(name)s) are not allowed: write each value out in full")
TAG = _("tags (%(tag)s) are not allowed")
SEVERAL_DOCUMENTS = _("the text holds more than one document")
TOO_DEEP = _("the document is nested more than %(limit)s levels deep")
TOO_MANY_NODES = _("the document holds more than %(limit)s keys and values")
DUPLICATE_KEY = _('the key "%(key)s" appears twice')
NOT_DECIMAL = _(
    '"%(text)s" is not a plain decimal number: write numbers like 20 or 0.5 (and text in quotes)'
)
KEY_NOT_TEXT = _("keys must be plain text")
EMPTY = _("the document is empty")
ROOT_NOT_MAPPING = _("the document must be a mapping of keys (name, indicators, entry, exit...)")

# The shape of the tree (pydantic's error types and our own custom ones).
REQUIRED = _("this key is required")
UNKNOWN_KEY = _("unknown key")
NOT_MAPPING = _("must be a mapping (key: value)")
NOT_LIST = _("must be a list")
NOT_TEXT = _("must be text")
NOT_WHOLE_NUMBER = _("must be a whole number")
NOT_NUMBER = _("must be a number")
NOT_FINITE = _("must be a finite number")
NUMBER_TOO_LARGE = _("is too large: numbers stay between -%(limit)s and %(limit)s")
NOT_BOOLEAN = _("must be true or false")
GREATER_THAN = _("must be greater than %(gt)s")
AT_LEAST = _("must be at least %(ge)s")
LESS_THAN = _("must be less than %(lt)s")
AT_MOST = _("must be at most %(le)s")
EMPTY_LIST = _("must not be empty")
TOO_LONG = _("must be at most %(max_length)s characters long")
INVALID = _("this value is not valid")
UNKNOWN_OPERATOR = _(
    'unknown operator "%(value)s": use gt, lt, gte, lte, eq, crosses_up or crosses_down'
)
UNKNOWN_COMBINE = _('unknown combination "%(value)s": use AND or OR')
UNKNOWN_DIRECTION = _('unknown direction "%(value)s": use long or short')
UNKNOWN_BAR_FIELD = _('unknown bar field "%(value)s": use open, high, low, close or volume')
UNKNOWN_CHOICE = _('unknown value "%(value)s": use %(choices)s')
UNKNOWN_SIZING = _('unknown sizing "%(value)s": use equity_fraction, fixed_quote or risk_per_trade')
NODE_SHAPE = _(
    "a rule must be a condition {lhs, op, rhs}, a group {combine, rules} or a negation {not}"
)
SIDE_SHAPE = _("a side must be {bar: ...}, {indicator: ...} or {value: ...}")
ALIAS_FORMAT = _(
    "an indicator name must be lowercase letters, digits and underscores, start with a "
    "letter and be at most %(limit)s characters long"
)
TIMEFRAME_FORMAT = _('unknown timeframe "%(value)s": write it like 15m, 4h, 1d or 1w')
BLANK_NAME = _("must not be blank")

PYDANTIC_MESSAGES = {
    "missing": REQUIRED,
    "extra_forbidden": UNKNOWN_KEY,
    "model_type": NOT_MAPPING,
    "model_attributes_type": NOT_MAPPING,
    "dict_type": NOT_MAPPING,
    "list_type": NOT_LIST,
    "string_type": NOT_TEXT,
    "int_type": NOT_WHOLE_NUMBER,
    "int_from_float": NOT_WHOLE_NUMBER,
    "int_parsing": NOT_WHOLE_NUMBER,
    "float_type": NOT_NUMBER,
    "float_parsing": NOT_NUMBER,
    "finite_number": NOT_FINITE,
    "number_too_large": NUMBER_TOO_LARGE,
    "bool_type": NOT_BOOLEAN,
    "bool_parsing": NOT_BOOLEAN,
    "greater_than": GREATER_THAN,
    "greater_than_equal": AT_LEAST,
    "less_than": LESS_THAN,
    "less_than_equal": AT_MOST,
    "too_short": EMPTY_LIST,
    "string_too_short": EMPTY_LIST,
    "string_too_long": TOO_LONG,
    "unknown_operator": UNKNOWN_OPERATOR,
    "unknown_combine": UNKNOWN_COMBINE,
    "unknown_direction": UNKNOWN_DIRECTION,
    "unknown_bar_field": UNKNOWN_BAR_FIELD,
    "unknown_sizing": UNKNOWN_SIZING,
    "unknown_choice": UNKNOWN_CHOICE,
    "node_shape": NODE_SHAPE,
    "side_shape": SIDE_SHAPE,
    "alias_format": ALIAS_FORMAT,
    "timeframe_format": TIMEFRAME_FORMAT,
    "blank_name": BLANK_NAME,
}

# What the document means (checks beyond the shape).
UNKNOWN_INDICATOR = _('unknown indicator "%(alias)s"')
UNKNOWN_KIND = _(
    'unknown indicator kind "%(kind)s": use %(kinds)s (the Indicators page of the docs '
    "describes each)"
)
UNKNOWN_KIND_CLOSE = _(
    'unknown indicator kind "%(kind)s": did you mean %(close)s? The Indicators page of the docs '
    "lists every kind"
)
UNKNOWN_PARAM = _("unknown parameter for %(kind)s: its parameters are %(names)s")
NO_PARAMS = _("unknown parameter: %(kind)s takes no parameters")
PARAM_CHOICE = _("must be one of: %(choices)s")
UNKNOWN_OUTPUT = _('unknown output "%(field)s" of %(kind)s: its outputs are %(names)s')
TIMEFRAME_BELOW_BASE = _("the timeframe %(timeframe)s is shorter than the run's timeframe %(base)s")
TIMEFRAME_NOT_MULTIPLE = _(
    "the timeframe %(timeframe)s is not a whole number of the run's %(base)s bars: choose a "
    "multiple of %(base)s"
)
TIMEFRAME_TOO_LONG = _("%(kind)s needs bars of %(longest)s or shorter, not %(timeframe)s")
BOTH_CONSTANT = _("compares two fixed values: one side must be a bar field or an indicator")
SAME_SIDES = _("compares a value with itself, so it is never true")
SHORT_WHEN_LONG_ONLY = _("short is not allowed while long_only is true")
CONTRADICTS = _('contradicts the direction "%(direction)s" set on an enclosing rule')
MISPLACED_DIRECTION = _(
    "a direction can only be set on the whole rule or on one alternative of an OR"
)
NO_WAY_OUT = _("the strategy needs an exit rule or a stop-loss, take-profit or trailing stop")
TARGET_TWICE = _("take_profit_pct and take_profit_r both set the target: keep one of them")
R_TARGET_WITHOUT_STOP = _(
    "take_profit_r is a multiple of the distance to the stop: set stop_loss_pct or "
    "trailing_stop_pct"
)
R_TARGET_BELOW_ZERO = _(
    "take_profit_r times the stop's distance reaches 100%%: a short's target would be at zero "
    "or below"
)
RISK_SIZING_WITHOUT_STOP = _(
    "risk_per_trade sizes each entry by its loss at the stop: set stop_loss_pct or "
    "trailing_stop_pct under risk"
)
TRIGGER_WITHOUT_SIDE = _(
    "the entry trigger has no alternative for the %(direction)s entry, whose signals could only "
    "expire: leave an alternative untagged or tag one direction: %(direction)s"
)
REVERSAL_ONE_DIRECTION = _(
    "stop_and_reverse needs an entry in each direction: add a short entry (with long_only: "
    "false) or remove stop_and_reverse"
)
SAFETY_BELOW_ZERO = _(
    "the last safety order would be 100%% or more below the first fill: lower deviation_pct, "
    "step_scale or count"
)
SAFETY_WITH_RISK_SIZING = _(
    "risk_per_trade cannot size a ladder, whose loss at the stop depends on how many safety "
    "orders filled: use equity_fraction or fixed_quote with safety_orders"
)
SAFETY_OVER_EQUITY = _(
    "the base order and every safety order would need %(percent)s%% of the equity: lower the "
    "fraction, size_ratio, volume_scale or count so that the worst case fits in 100%%"
)
ANCHOR_FALLBACK_WITHOUT_STOP = _(
    "too_wide: percent falls back to stop_loss_pct when the anchor is too far: set "
    "stop_loss_pct under risk"
)
ANCHOR_AND_STOP_LOSS = _(
    "the anchor sets the stop-loss: stop_loss_pct is only the fallback of too_wide: percent"
)
ANCHOR_BARS_WITHOUT_SWING = _("bars counts the candles of a swing: use it with at: swing")
ANCHOR_WITH_LADDER = _(
    "a ladder measures its stop from the average entry, an anchor from the chart: keep one of "
    "stop_anchor and safety_orders"
)
TRIGGER_RULE_WITH_KIND = _(
    "a %(kind)s trigger is built from its kind: remove rule, or use kind: rule"
)
TRIGGER_LEVEL_UNUSED = _("level is for a pullback or a retest trigger")
TRIGGER_LEVEL_BAR = _(
    "a level is an indicator or a value: the bar's own fields are what is compared with it"
)
