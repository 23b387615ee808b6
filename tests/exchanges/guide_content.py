"""The guides' content files, by ccxt id, for tests that check code against what guides say."""

import functools

from guides.content_files import read_all


@functools.cache
def _by_ccxt_id() -> dict:
    return {content.facts["ccxt_id"]: content for content in read_all()}


def guide_ccxt_ids() -> set[str]:
    return set(_by_ccxt_id())


def guide_items(ccxt_id: str, kind: str) -> list[dict]:
    """The English guide's items of one kind ("permission", "troubleshooting"...)."""
    content = _by_ccxt_id()[ccxt_id]
    return [item for item in content.translations["en"]["items"] if item["kind"] == kind]


def guide_content(ccxt_id: str):
    """The exchange's content files: facts, and each language's fields and items."""
    return _by_ccxt_id()[ccxt_id]
