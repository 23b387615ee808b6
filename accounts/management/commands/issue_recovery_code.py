from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services import recovery_code_issue


class Command(BaseCommand):
    help = (
        "Issue a single-use recovery code for a user locked out of two-factor authentication. "
        "Hand it over only through a channel where you have checked their identity. The code "
        "is printed here once; the issue is recorded in the user's security events and the log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The account's email address.")

    def handle(self, *args: object, email: str, **options: object) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account with the email address {email!r}.")
        code = recovery_code_issue(user=user)
        self.stdout.write(f"Recovery code for {user.email} (works once): {code}")
