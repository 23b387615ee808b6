from django.http import HttpRequest

from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """The request of a view that only logged-in users reach (for type checking)."""

    user: User
