"""The documentation pages: thin views over the generated content, cached for visitors.

The pages read no database: they change only with the code, so their cache version is a
digest of the indicator registry and of DOCS_REVISION (raise it when the templates or the
examples change in a way a running process should notice without a restart).
"""

import hashlib

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from noonbarbari.page_cache import cache_for_visitors
from strategies.engine import STATEMENT
from strategies.engine.metric_texts import METRICS
from strategies.indicators import REGISTRY
from strategies.views.docs import examples, grammar, indicators, risk

DOCS_REVISION = "2"
CACHE_SOURCE = "docs"


def docs_version() -> str:
    """Changes with the registry's kinds, parameters, bounds and outputs, and the revision."""
    described = [
        (
            spec.kind,
            [(p.name, p.default, p.minimum, p.maximum, p.choices) for p in spec.params],
            spec.outputs,
        )
        for spec in REGISTRY.values()
    ]
    return hashlib.sha256(repr((DOCS_REVISION, described)).encode()).hexdigest()[:16]


@require_safe
@cache_for_visitors(CACHE_SOURCE)
def docs_index(request: HttpRequest) -> HttpResponse:
    context = {"first": examples.shown(examples.FIRST), "kinds": len(REGISTRY)}
    return render(request, "strategies/docs/index.html", context)


@require_safe
@cache_for_visitors(CACHE_SOURCE)
def docs_rules(request: HttpRequest) -> HttpResponse:
    shown = {example.slug: examples.shown(example) for example in examples.EXAMPLES}
    refused = {example.slug: examples.refused(example) for example in examples.REFUSALS}
    context = {
        "examples": shown,
        "refusals": refused,
        "keys": grammar.key_rows(),
        "operators": grammar.operator_rows(),
        "limits": grammar.limits(),
        "crosses": grammar.cross_cases(),
        "timeline": grammar.timeline(),
        "words": grammar.words(),
    }
    return render(request, "strategies/docs/rules.html", context)


@require_safe
@cache_for_visitors(CACHE_SOURCE)
def docs_indicators(request: HttpRequest) -> HttpResponse:
    context = {"indicators": indicators.indicator_docs()}
    return render(request, "strategies/docs/indicators.html", context)


@require_safe
@cache_for_visitors(CACHE_SOURCE)
def docs_risk(request: HttpRequest) -> HttpResponse:
    context = {
        "example": examples.shown(examples.RISK),
        "risk_keys": risk.risk_rows(),
        "sizing_keys": risk.sizing_rows(),
        "worked": risk.worked_rows(),
        "figures": risk.worked_figures(),
    }
    return render(request, "strategies/docs/risk.html", context)


@require_safe
@cache_for_visitors(CACHE_SOURCE)
def docs_backtests(request: HttpRequest) -> HttpResponse:
    """The fill model (its statement, word for word) and every statistic's definition."""
    context = {"statement": STATEMENT, "metrics": METRICS}
    return render(request, "strategies/docs/backtests.html", context)
