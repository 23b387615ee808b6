"""How a channel's refusal is classed: later (the same message again after a pause), never (the
channel itself is gone: a blocked bot, a deleted webhook), or not this message. Each carries a
`code` the pages word in the reader's language (notifications.problems) and a `detail` in the
channel's own terms (an HTTP status, Telegram's description) for staff."""


class SendFailed(Exception):
    """A failure worth retrying with the growing pause (the service down, a timeout)."""

    code = "unavailable"

    def __init__(self, detail: str = "", code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail[:200]
        if code is not None:
            self.code = code


class RateLimited(SendFailed):
    """The channel asked us to wait `seconds` before sending again; not counted as a failure."""

    code = "rate_limited"

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds:g} s")
        self.seconds = seconds


class ChannelGone(SendFailed):
    """The channel refuses for good until the user links it again."""

    code = "gone"


class MessageRefused(SendFailed):
    """This message cannot be sent (refused as malformed): retrying would not help."""

    code = "refused"
