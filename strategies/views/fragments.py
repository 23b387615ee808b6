"""Keys for parts of a page kept rendered ({% cache %}) under a digest of the rows they show."""

import hashlib
import json

from django.db.models import Model


def columns(row: Model) -> list:
    """Every column of a database row as loaded: what a part of a page built from it can show."""
    return [getattr(row, field.attname) for field in row._meta.concrete_fields]


def rows_key(*rows: object) -> str:
    """A digest of the rows (their `columns`) a part of a page is built from. The part is
    rendered again exactly when one of them changes, whichever write changed it: brokers
    update orders with `.update()`, so a change stamp kept by the models would miss writes.
    Digesting the rows as loaded, not the part's words, leaves the wording (conditions
    phrased from the document, numbers formatted) to the rare miss."""
    text = json.dumps(rows, default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
