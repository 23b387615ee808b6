"""Answers compressed once and kept compressed: the same bytes served many times should not
be compressed again on each request (GZipMiddleware does that for every answer)."""

import gzip
import re

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def packed(body: str) -> bytes:
    """`body` compressed as the kept form of an answer (the strongest level: it is done once).
    Only for bodies that carry no secret: a token or secret next to content an attacker
    chooses could be read from compressed lengths (BREACH)."""
    return gzip.compress(body.encode(), compresslevel=9, mtime=0)


def packed_response(request: HttpRequest, body: bytes, content_type: str) -> HttpResponse:
    """The answer to `request` from a `packed` body: as it is where the client accepts gzip
    (GZipMiddleware leaves answers with an encoding alone), unpacked for the rare one that
    does not."""
    accepts = _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", ""))
    response = HttpResponse(body if accepts else gzip.decompress(body), content_type=content_type)
    if accepts:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response
