from pathlib import Path

from guides.content_files import CONTENT_DIR, read_all
from guides.services import guide_content_load
from noonbarbari.content_loading import LoadContentCommand, LoadReport


class Command(LoadContentCommand):
    help = (
        "Load the exchange guides from guides/content/ into the database: create what is "
        "missing, update what staff have not edited in the admin, report the rest."
    )
    content_name = "Guides"
    default_dir = CONTENT_DIR

    def load(self, *, content_dir: Path, force: bool) -> LoadReport:
        return guide_content_load(contents=read_all(content_dir), force=force)
