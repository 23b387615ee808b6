"""Size limits on an upload that hold before the body is read, not after it was spooled."""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

# Room for the boundaries, the part headers and the form's text fields around the file.
ENVELOPE_BYTES = 64 * 1024


class UploadSizeLimit(FileUploadHandler):
    """First of the request's upload handlers: stops the upload (the rest of the body is not
    read) as soon as its files pass `limit` bytes, and says so in `exceeded`."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) makes the file


def declared_too_large(request: HttpRequest, limit: int) -> bool:
    """Whether the body the client announces is already past `limit` plus the envelope."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > limit + ENVELOPE_BYTES


def limit_uploads(request: HttpRequest, limit: int) -> UploadSizeLimit:
    """Put the limit in front of the request's upload handlers (before the body is read)."""
    guard = UploadSizeLimit(request, limit)
    # Assigning (Django refuses it once the body was read) rather than inserting in place.
    request.upload_handlers = [guard, *request.upload_handlers]
    return guard
