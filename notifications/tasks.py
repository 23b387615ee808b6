"""Tasks: ids in, a service called (notifications.services.outbox)."""

from notifications.services.outbox import deliveries_requeue, delivery_send


def send_delivery(delivery_id: int, turn: int) -> None:
    delivery_send(delivery_id=delivery_id, turn=turn)


def requeue_deliveries() -> int:
    return deliveries_requeue()
