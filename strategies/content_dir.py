"""Where the strategy catalog's files live (a module of its own: `manage.py backtest` finds a
catalog slug's document without importing the models that content_files.py loads them into)."""

from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent / "content"
