from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from exchanges.crypto import rotation


class Command(BaseCommand):
    help = (
        "Re-wrap every user's data key under FIELD_ENCRYPTION_ACTIVE_KEY, in batches (resumable, "
        "idempotent); once it reports 0 left, older keys can leave FIELD_ENCRYPTION_KEYS. "
        "With --user, give that user a new data key and re-encrypt their values instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--user", help="Email of a user whose data key to replace.")

    def handle(self, *args: object, batch_size: int, user: str | None, **options: object) -> None:
        if user:
            account = User.objects.filter(email__iexact=user).first()
            if account is None:
                raise CommandError(f"No account with the email address {user!r}.")
            count = rotation.rotate_user_data_key(user_id=account.pk)
            self.stdout.write(f"New data key for {account.email}: {count} rows re-encrypted.")
            return
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        total = 0
        while True:
            done, left = rotation.rewrap_batch(batch_size=batch_size)
            total += done
            self.stdout.write(f"Re-wrapped {done} data keys; {left} left.")
            if not left or not done:
                break
        self.stdout.write(f"Done: {total} data keys re-wrapped under the active key.")
