"""Keys for parts of a page kept rendered ({% cache %}) under a digest of what they show."""

import hashlib
import json


def content_key(*shown: object) -> str:
    """A digest of the rows a part of a page shows, worded as they are shown (lazy texts in
    the current language, times and numbers as they are): the part is rendered again exactly
    when one of them changes, whichever write changed it. Building the rows costs a fraction
    of rendering them."""
    text = json.dumps(shown, default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
