"""sentences: a document as whole sentences in the active language, built from its tree.

Nothing is written per strategy: conditions come from the operators' templates, sides from
the indicators' labels (with their parameters), states and timeframes, and bar fields' words.
"""

from decimal import Decimal
from typing import Any

from strategies.indicators import REGISTRY, IndicatorSpec
from strategies.rules import wording
from strategies.rules.document import Document, Rule
from strategies.rules.model import (
    BarSide,
    Combine,
    FixedQuote,
    Indicator,
    IndicatorSide,
    Leaf,
    Risk,
    RiskPerTrade,
)
from strategies.rules.problems import plain_number


def sentences(document: Document) -> list[str]:
    """Entries (and what they wait for), exits (a reversal among them), risk, then sizing:
    one sentence each."""
    text = Wording(document.indicators)
    sides = [side for side, rule in document.entry_branches().items() if rule is not None]
    said = [
        str(wording.ENTER[side]) % {"condition": text.condition(rule)}
        for side, rule in document.entry_branches().items()
        if rule is not None
    ]
    said += trigger_sentences(document, sides, text)
    said += exit_sentences(document, sides, text)
    if document.stop_and_reverse:
        said.append(str(wording.REVERSES))
    said += risk_sentences(document.risk, sides)
    said.append(sizing_sentence(document))
    return said + ladder_sentences(document, sides)


def trigger_sentences(document: Document, sides: list[str], text: "Wording") -> list[str]:
    """The entry trigger's wait: one sentence when every entry waits for the same rule."""
    trigger = document.entry_trigger
    if trigger is None:
        return []
    branches = document.trigger_branches()
    waited = {side: rule for side in sides if (rule := branches[side]) is not None}
    rules = list(waited.values())
    alike = len(waited) == len(sides) and all(rule == rules[0] for rule in rules)
    groups = [("any", rules[0])] if alike else list(waited.items())
    count = trigger.max_wait_bars
    return [
        str(wording.TRIGGER[name] % {"count": count, "condition": text.condition(rule)})
        for name, rule in groups
    ]


def exit_sentences(document: Document, sides: list[str], text: "Wording") -> list[str]:
    if document.exit is None:
        return []
    exits = document.exit_branches()
    if len(sides) == 1 or exits["long"] == exits["short"]:
        rule = exits[sides[0]]
        return (
            [] if rule is None else [str(wording.CLOSE_ANY) % {"condition": text.condition(rule)}]
        )
    return [
        str(wording.CLOSE[side]) % {"condition": text.condition(rule)}
        for side, rule in exits.items()
        if rule is not None
    ]


def percent(fraction: float) -> str:
    number = plain_number(Decimal(repr(fraction)) * 100)
    return str(wording.PERCENT) % {"number": number}


def risk_sentences(risk: Risk, sides: list[str]) -> list[str]:
    which = sides[0] if len(sides) == 1 else "both"
    said = [
        str(templates[which]) % {"percent": percent(fraction)}
        for fraction, templates in (
            (None if risk.stop_anchor else risk.stop_loss_pct, wording.STOP_LOSS),
            (risk.take_profit_pct, wording.TAKE_PROFIT),
            (risk.trailing_stop_pct, wording.TRAILING_STOP),
        )
        if fraction is not None
    ]
    said[:0] = anchor_sentences(risk, which)
    target = risk.target_share()
    if risk.take_profit_r is not None and risk.stop_anchor is not None:
        multiple = plain_number(risk.take_profit_r)
        said.insert(2, str(wording.TAKE_PROFIT_R_ANCHORED) % {"multiple": multiple})
    elif risk.take_profit_r is not None and target is not None:  # in the take-profit's place
        shown = percent(round(target, 10))  # 2.5 x 0.03 is 0.07499999999999999 in floats
        multiple = plain_number(risk.take_profit_r)
        sentence = str(wording.TAKE_PROFIT_R[which]) % {"multiple": multiple, "percent": shown}
        said.insert(1 if risk.stop_loss_pct is not None else 0, sentence)
    if risk.cooldown_bars:
        said.append(wording.COOLDOWN % {"count": risk.cooldown_bars})
    return said


def anchor_sentences(risk: Risk, which: str) -> list[str]:
    """Where an anchored stop is set, and what a too wide one turns into."""
    anchor = risk.stop_anchor
    if anchor is None:
        return []
    shown = {"max": percent(anchor.max_pct), "bars": anchor.swing_bars()}
    shown["percent"] = percent(risk.stop_loss_pct) if risk.stop_loss_pct else ""
    return [
        str(wording.ANCHORED_STOP[anchor.at][which]) % shown,
        str(wording.TOO_WIDE[anchor.too_wide]) % shown,
    ]


def sizing_sentence(document: Document) -> str:
    sizing = document.sizing
    if isinstance(sizing, FixedQuote):
        return str(wording.FIXED_QUOTE) % {"amount": plain_number(sizing.amount)}
    if isinstance(sizing, RiskPerTrade) and document.risk.stop_anchor is not None:
        return str(wording.RISK_PER_TRADE_ANCHORED) % {"percent": percent(sizing.risk_pct)}
    if isinstance(sizing, RiskPerTrade):
        committed = percent(round(sizing.equity_fraction(document.risk), 4))
        return str(wording.RISK_PER_TRADE) % {
            "percent": percent(sizing.risk_pct),
            "fraction": committed,
        }
    return str(wording.EQUITY_FRACTION) % {"percent": percent(sizing.fraction)}


def ladder_sentences(document: Document, sides: list[str]) -> list[str]:
    """The safety orders, where the levels are measured from, and the worst case."""
    ladder = document.safety_orders
    if ladder is None:
        return []
    which = sides[0] if len(sides) == 1 else "both"
    shown = {
        "count": ladder.count,
        "deviations": joined([percent(round(d, 6)) for d in ladder.deviations()], wording.LAST_AND),
        "ratios": joined([plain_number(round(r, 4)) for r in ladder.ratios()], wording.LAST_AND),
    }
    said = [str(wording.SAFETY_ORDERS[which] % shown), str(wording.AVERAGE_ENTRY)]
    multiple = ladder.worst_case_multiple()
    times = plain_number(round(multiple, 4))
    if isinstance(document.sizing, FixedQuote):
        amount = plain_number(round(document.sizing.amount * multiple, 8))
        said.append(str(wording.WORST_CASE_QUOTE) % {"amount": amount, "multiple": times})
    else:  # validation allows no other sizing with a ladder
        committed = percent(round(document.sizing.fraction * multiple, 6))  # type: ignore[union-attr]
        said.append(str(wording.WORST_CASE_FRACTION) % {"percent": committed, "multiple": times})
    return said


class Wording:
    """Conditions in words, against the document's indicators."""

    def __init__(self, indicators: dict[str, Indicator]) -> None:
        self.indicators = indicators

    def condition(self, rule: Rule, *, nested: bool = False, last: bool = True) -> str:
        """A nested group reads "both A and B" or "either A or B", in parentheses unless it
        is the last member of its group (then it ends where its group ends: no ambiguity)."""
        if isinstance(rule, Leaf):
            return self.comparison(rule, negated=False)
        if isinstance(rule, Combine):
            if len(rule.rules) == 1:
                return self.condition(rule.rules[0], nested=nested, last=last)
            text = self.group(rule) if nested else self.members(rule)
            return text if last else str(wording.PARENTHESES) % {"condition": text}
        if isinstance(rule.negated, Leaf):
            return self.comparison(rule.negated, negated=True)
        return str(wording.NOT_GROUP) % {"condition": self.condition(rule.negated)}

    def members(self, rule: Combine) -> str:
        """The members as a plain list: "A, B and C", "A or B"."""
        texts = self.member_texts(rule)
        return joined(texts, wording.LAST_AND if rule.combine == "AND" else wording.LAST_OR)

    def group(self, rule: Combine) -> str:
        texts = self.member_texts(rule)
        if rule.combine == "AND":
            template = wording.BOTH if len(texts) == 2 else wording.ALL_OF
            return str(template) % {"conditions": joined(texts, wording.LAST_AND)}
        first = str(wording.EITHER_FIRST) % {"condition": texts[0]}
        rest = [str(wording.EITHER_NEXT) % {"condition": text} for text in texts[1:]]
        return joined([first, *rest], wording.EITHER_LAST)

    def member_texts(self, rule: Combine) -> list[str]:
        count = len(rule.rules)
        return [
            self.condition(member, nested=True, last=index == count - 1)
            for index, member in enumerate(rule.rules)
        ]

    def comparison(self, leaf: Leaf, *, negated: bool) -> str:
        state = self.state(leaf) if leaf.op == "eq" else None
        if state is not None:
            template = wording.IS_NOT_STATE if negated else wording.IS_STATE
            return str(template) % state
        sides = {"lhs": self.side(leaf.lhs), "rhs": self.side(leaf.rhs)}
        return str(wording.COMPARISONS[leaf.op, negated]) % sides

    def state(self, leaf: Leaf) -> dict[str, str] | None:
        """An indicator compared with one of its output's named states: "the trend is up"."""
        for subject, other in ((leaf.lhs, leaf.rhs), (leaf.rhs, leaf.lhs)):
            if isinstance(subject, IndicatorSide) and not isinstance(
                other, BarSide | IndicatorSide
            ):
                indicator = self.indicators[subject.indicator]
                spec = REGISTRY[indicator.kind]
                words = spec.states.get(subject.field or spec.outputs[0], {})
                if other.value in words:
                    return {"subject": self.side(subject), "state": str(words[other.value])}
        return None

    def side(self, side: Any) -> str:
        if isinstance(side, BarSide):
            return str(wording.BAR_FIELDS[side.bar])
        if isinstance(side, IndicatorSide):
            return self.indicator(side)
        return plain_number(side.value)

    def indicator(self, side: IndicatorSide) -> str:
        indicator = self.indicators[side.indicator]
        spec = REGISTRY[indicator.kind]
        text = indicator_label(spec, indicator.params)
        if side.field and side.field != spec.outputs[0]:
            output = spec.output_labels.get(side.field, side.field.replace("_", " "))
            text = str(wording.OUTPUT) % {"indicator": text, "output": output}
        if indicator.timeframe:
            text = str(wording.ON_TIMEFRAME) % {"indicator": text, "timeframe": indicator.timeframe}
        return text


def indicator_label(spec: IndicatorSpec, params: dict[str, Any]) -> str:
    """How pages name an indicator with its parameters: "EMA 12", else its title."""
    return label(spec.label or spec.title, params)


def label(template: Any, params: dict[str, Any]) -> str:
    """The indicator's label with its parameters: "EMA %(period)s" -> "EMA 12"."""
    shown = {
        name: value if isinstance(value, str | bool) else plain_number(value)
        for name, value in params.items()
    }
    try:
        return str(template) % shown
    except (KeyError, TypeError, ValueError):  # a label naming a parameter the kind lacks
        return str(template)


def joined(items: list[str], last: Any) -> str:
    if len(items) == 1:
        return items[0]
    return str(wording.LIST_SEPARATOR).join(items[:-1]) + str(last) + items[-1]
