"""What error reports show: the debug page in development hides secrets as production does."""

import re
from typing import Any

from django.http import HttpRequest, QueryDict
from django.views.debug import SafeExceptionReporterFilter

# The password in a URL's user information: "redis://:pw@host", "postgres://user:pw@host".
URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^/@:\s]*:)[^/@\s]+(?=@)", re.IGNORECASE)


class SecretHidingFilter(SafeExceptionReporterFilter):
    """Django's filter, on in DEBUG too, and stricter.

    Django turns `sensitive_post_parameters` and `sensitive_variables` off when DEBUG is on,
    so the development debug page showed pasted exchange secrets. Here they always apply;
    besides, any POST field or local variable whose name looks secret (API, KEY, SECRET,
    PASS, TOKEN...), any such key inside a dict (a ccxt configuration), and the password of
    any URL (DATABASE_URL in the environment, a Redis broker URL) is hidden.
    """

    def is_active(self, request: HttpRequest | None) -> bool:
        return True

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):
            return URL_PASSWORD.sub(rf"\g<head>{self.cleansed_substitute}", cleansed)
        return cleansed

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        parameters = super().get_post_parameters(request)
        if not isinstance(parameters, QueryDict):
            return parameters
        cleansed = parameters.copy()
        for name in cleansed:
            if self.hidden_settings.search(name):
                cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        return [
            (name, self.cleanse_setting(name, value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]
