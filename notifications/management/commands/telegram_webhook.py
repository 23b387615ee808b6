"""Tell Telegram where to post the bot's updates: run once per deploy (and by bin/up against the
sandbox venue), with the site's public address."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from notifications.senders import telegram
from notifications.senders.errors import SendFailed


class Command(BaseCommand):
    help = "Point the Telegram bot's webhook at this site (TELEGRAM_BOT_TOKEN must be set)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--url",
            help="The webhook's full address; by default SITE_URL + /telegram/webhook/.",
        )

    def handle(self, *args, url: str | None = None, **options) -> None:
        if not telegram.configured():
            raise CommandError("TELEGRAM_BOT_TOKEN and TELEGRAM_BOT_USERNAME are not set.")
        url = url or settings.SITE_URL + reverse("telegram_webhook")
        try:
            telegram.call(
                "setWebhook",
                url=url,
                secret_token=telegram.webhook_secret(),
                allowed_updates=["message"],
            )
        except SendFailed as error:
            raise CommandError(f"Telegram refused the webhook: {error.detail}") from None
        self.stdout.write(f"Telegram posts the bot's updates to {url}")
