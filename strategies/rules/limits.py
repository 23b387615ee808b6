"""Bounds that keep hostile documents cheap to refuse. A real strategy stays far below them."""

MAX_BYTES = 64 * 1024
MAX_DEPTH = 32  # nested mappings and lists, the root mapping being level 1
MAX_NODES = 5_000  # mappings, lists, keys and scalars
MAX_ALIAS_LENGTH = 40
MAX_NAME_LENGTH = 100
# Prices, volumes and amounts beyond this are typing mistakes; the engine works in float64,
# which an integer of a few hundred digits would overflow.
MAX_MAGNITUDE = 1e15
MAX_COOLDOWN_BARS = 1_000_000
MAX_R_MULTIPLE = 100  # a target a hundred times the stop's distance is already out of reach
MAX_WAIT_BARS = 1_000  # an entry that waits longer than this for its trigger is another entry
MAX_SAFETY_ORDERS = 50  # beyond fifty rungs a ladder is a grid, and the worst case is absurd
MAX_SCALE = 10  # step, size and volume scales: a tenfold rung after rung is already a typo
MAX_SWING_BARS = 500  # a swing further back than this is not the setup the entry reacted to
DEFAULT_SWING_BARS = 5
