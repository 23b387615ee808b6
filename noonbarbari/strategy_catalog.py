"""The seam between the guides and the strategy catalog, which may not import each other.

Guides suggest strategies by slug; the strategies app registers its catalog here (in its
AppConfig.ready), which names and links them. Without it, a strategy is the words of its slug.
"""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class StrategyMention:
    """A strategy a guide suggests: its title, and its page when the catalog has one."""

    title: str
    url: str = ""


class StrategyCatalog(Protocol):
    """What guides need of the strategy catalog."""

    def links(self, slugs: list[str], language: str) -> list[StrategyMention]:
        """The strategies the catalog has among these slugs, in their order."""
        ...

    def version(self) -> str:
        """Changes whenever a title or a page address may change."""
        ...


strategy_catalogs: list[StrategyCatalog] = []


def strategy_mentions(slugs: list[str], language: str) -> list[StrategyMention]:
    """The strategies named by these slugs, linked to the catalog when it is there."""
    if not strategy_catalogs:
        return [StrategyMention(_slug_words(slug)) for slug in slugs]
    return strategy_catalogs[-1].links(slugs, language)


def strategy_mentions_version() -> str:
    return strategy_catalogs[-1].version() if strategy_catalogs else ""


def _slug_words(slug: str) -> str:
    return slug.replace("_", " ").replace("-", " ").capitalize()
