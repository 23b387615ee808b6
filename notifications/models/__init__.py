from notifications.models.channels import (
    Channel,
    ChannelKind,
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
    "TelegramLinkToken",
    "TelegramUpdate",
]
