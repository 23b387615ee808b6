from allauth.account.stages import LoginStage
from django.http import HttpResponseRedirect
from django.urls import reverse

from accounts.two_factor import has_two_factor


class TwoFactorStage(LoginStage):
    """After the password: users with two-factor authentication give a code before they are
    logged in at all (allauth keeps the pending login in the session meanwhile)."""

    key = "noonbarbari_two_factor"
    urlname = "accounts:two_factor_login"

    def handle(self):
        if self.login.user is not None and has_two_factor(self.login.user):
            return HttpResponseRedirect(reverse(self.urlname)), True
        return None, True
