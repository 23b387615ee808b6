"""Commands that run on the lean settings (noonbarbari/settings_lean.py): no database, no app,
no secret. manage.py hands them their command line before Django's own dispatcher, which would
load every installed app (and refuse to start without the secrets) only to find the command.
"""

import os
import sys
from importlib import import_module

# Command name -> the module of its Command class.
LEAN_COMMANDS = {
    "backtest": "strategies.management.commands.backtest",
    "warm_compiled": "strategies.management.commands.warm_compiled",
}
# Libraries that TA-Lib (pandas, polars: to accept their series) and numba (scipy: for its
# linear algebra) import whenever they are installed, which the development environment is
# (backtesting.py and vectorbt, the benchmarks' anchors, bring them). A lean command uses none
# of them, and they cost it 0.4 s: it marks them absent, as production (which never installs
# them) finds them.
NEVER_USED = ("pandas", "polars", "scipy")


def lean_command(argv: list[str]) -> str | None:
    """The module of the lean command `manage.py <command>` names, if it is one."""
    return LEAN_COMMANDS.get(argv[1]) if len(argv) > 1 else None


def run_lean(argv: list[str], module: str) -> None:
    """Run the command on the lean settings (whatever DJANGO_SETTINGS_MODULE said: a lean
    command must never open the real database or need the real secrets)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "noonbarbari.settings_lean"
    for name in NEVER_USED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    from django.apps import apps
    from django.conf import settings

    # django.setup() without its logging configuration, which imports the mail, the views
    # and the URL resolver for the error reports a lean command never sends. Translations
    # need the (empty) registry of apps.
    apps.populate(settings.INSTALLED_APPS)
    import_module(module).Command().run_from_argv(argv)
