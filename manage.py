#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    from noonbarbari.lean import lean_command, run_lean

    module = lean_command(sys.argv)
    if module is not None:  # `backtest`: no database, no app, no secret (noonbarbari/lean.py)
        run_lean(sys.argv, module)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "noonbarbari.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
