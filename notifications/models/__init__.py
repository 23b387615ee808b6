from notifications.models.channels import (
    Channel,
    ChannelKind,
    Preferences,
    TelegramLinkToken,
    TelegramUpdate,
)
from notifications.models.outbox import Delivery, DeliveryStatus, Notification

__all__ = [
    "Channel",
    "ChannelKind",
    "Delivery",
    "DeliveryStatus",
    "Notification",
    "Preferences",
    "TelegramLinkToken",
    "TelegramUpdate",
]
