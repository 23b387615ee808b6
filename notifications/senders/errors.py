"""How a channel's refusal is classed: later (the same message again after a pause), or never
(the channel itself is gone: a blocked bot, a deleted webhook), or not this message."""


class SendFailed(Exception):
    """A failure worth retrying with the growing pause (the service down, a timeout)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RateLimited(SendFailed):
    """The channel asked us to wait `seconds` before sending again; not counted as a failure."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"rate limited for {seconds:g} s")
        self.seconds = seconds


class ChannelGone(SendFailed):
    """The channel refuses for good until the user links it again."""


class MessageRefused(SendFailed):
    """This message cannot be sent (refused as malformed): retrying would not help."""
