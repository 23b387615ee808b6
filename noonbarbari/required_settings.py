"""Settings no process starts without. Imported by settings.py: Django is not set up yet, and
nothing here may need it to be. (`manage.py backtest` needs none of them: it runs on
settings_lean.py.)"""

from django.core.exceptions import ImproperlyConfigured


def refuse_to_start_without(*names_and_values: tuple[str, object]) -> None:
    missing = [name for name, value in names_and_values if not value]
    if missing:
        raise ImproperlyConfigured(
            f"Set {', '.join(missing)} in the environment. Development machines get them from "
            "the .env file that bin/up writes (run bin/up once); production must provide real "
            "values."
        )
