from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from accounts.two_factor import has_two_factor


class AdminSite(OTPAdminSite):
    """Staff need an OTP-verified session; logging in goes through the site's own flow."""

    site_header = _("Noon Barbari administration")
    site_title = _("Noon Barbari admin")

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponseRedirect:
        """Send staff through the site's login (password, then code) instead of a form here."""
        user = request.user
        if not user.is_authenticated:
            target = "account_login"
        elif not (user.is_active and user.is_staff):
            raise PermissionDenied
        elif not has_two_factor(user):
            target = "accounts:two_factor_enable"
        else:
            target = "accounts:two_factor_verify"
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': next_url})}")
