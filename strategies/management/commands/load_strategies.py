from pathlib import Path

from noonbarbari.content_loading import LoadContentCommand, LoadReport
from strategies.content_files import CONTENT_DIR, read_all
from strategies.services.catalog import catalog_content_load


class Command(LoadContentCommand):
    help = (
        "Load the strategy catalog from strategies/content/ into the database: create what is "
        "missing, update what staff have not edited in the admin, report the rest."
    )
    content_name = "Strategies"
    default_dir = CONTENT_DIR

    def load(self, *, content_dir: Path, force: bool) -> LoadReport:
        return catalog_content_load(contents=read_all(content_dir), force=force)
