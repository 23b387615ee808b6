from decimal import Decimal

import factory

from exchanges.models import Exchange
from guides.models import Guide, GuideItem, GuideTranslation, ItemKind


class ExchangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exchange
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"venue-{n}")
    name = factory.Sequence(lambda n: f"Venue {n}")
    ccxt_id = factory.Sequence(lambda n: f"venue{n}")
    region = "global"
    spot_trading = True
    futures_trading = False
    spot_maker_fee = Decimal("0.1")
    spot_taker_fee = Decimal("0.1")
    ccxt_support = "supported"
    account_2fa = "required"
    ip_whitelist = "recommended"
    credentials = ["apiKey", "secret"]


class GuideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guide

    exchange = factory.SubFactory(ExchangeFactory)
    published = True
    strategy_slugs = ["ema-crossover", "rsi-mean-revert"]


class GuideTranslationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuideTranslation

    guide = factory.SubFactory(GuideFactory)
    language = "en"
    title = factory.LazyAttribute(lambda t: f"Connect {t.guide.exchange.name} to your trading bot")
    tagline = "A venue for tests."
    why = "Because it is **tested**."


class GuideItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuideItem

    translation = factory.SubFactory(GuideTranslationFactory)
    kind = ItemKind.STEP
    position = factory.Sequence(lambda n: n)
    text = "Open **Settings**."
