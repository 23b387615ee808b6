"""A context value computed only if the template reads it: pages that keep parts of themselves
rendered ({% cache %}) then skip the work those parts need."""

from collections.abc import Callable


class Later:
    """A value computed when a template first reads it (templates call what is callable), and
    kept: the report's cached part never reads most of them."""

    def __init__(self, compute: Callable[[], object]) -> None:
        self.compute = compute

    def __call__(self) -> object:
        if not hasattr(self, "value"):
            self.value = self.compute()
        return self.value
