import unicodedata

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class SignupForm(AllauthSignupForm):
    display_name = forms.CharField(
        label=_("Display name (optional)"),
        max_length=80,
        required=False,
        help_text=_("How Noon Barbari greets you. Leave it empty to use your email address."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _label_email(self)
        self.fields["password1"].help_text = _(
            "At least 8 characters, not only digits, not a common password and not close to "
            "your email address. A long phrase is easiest."
        )


def _label_email(form: forms.Form) -> None:
    field = form.fields.get("email") or form.fields["login"]
    field.label = _("Email address")
    field.widget.attrs["placeholder"] = _("you@example.com")


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _label_email(self)

    def clean_login(self) -> str:
        """The address in the spelling sign-up stored (see AccountAdapter.clean_email)."""
        return get_adapter().clean_email(super().clean_login())


class CodeForm(forms.Form):
    """A six-digit code from an authenticator app, or a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        # NFKC turns full-width digits (typed with some input methods) into ASCII ones.
        code = "".join(unicodedata.normalize("NFKC", self.cleaned_data["code"]).split())
        if not (code.isascii() and code.isalnum()):
            raise forms.ValidationError(_("A code has only digits and letters."))
        return code


class EnrolmentCodeForm(CodeForm):
    """The first code, which only the authenticator app can give (no backup codes yet)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("The 6-digit code your authenticator app shows now.")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "preferred_language"]


class DeleteAccountForm(CodeForm):
    """Deleting an account takes the password, and a code when 2FA is on."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["password", "code"]

    def __init__(self, *args, user: User, needs_code: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not needs_code:
            del self.fields["code"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password
