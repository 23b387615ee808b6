"""Numbers as a document may spell them: plain decimals only.

PyYAML reads YAML 1.1, where `1:20` is 80 (base 60), `0x14` is 20, `017` is 15 and `1_000` is
1000: a typing slip would silently become another number. So a plain (unquoted) scalar read as
a number must be written in decimal, as JSON writes numbers (a leading + and a bare leading or
trailing dot allowed); anything else is refused with its text, never reinterpreted.
`.inf` and `.nan` are refused the same way: the engine needs finite numbers.

YAML 1.1 has no exponent without a dot (`1e-3` is text to PyYAML), while JSON and YAML 1.2
read it as a number: it is read as one here too, so both formats accept the same numbers.
"""

import re

from yaml.nodes import ScalarNode

INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
STR_TAG = "tag:yaml.org,2002:str"

_MANTISSA = r"[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)"
DECIMAL = re.compile(rf"{_MANTISSA}(?:[eE][-+]?[0-9]+)?")
EXPONENT = re.compile(rf"{_MANTISSA}[eE][-+]?[0-9]+")
# YAML 1.2's octal, text to PyYAML but a number to a YAML 1.2 reader: refused, not guessed.
OTHER_NUMBER = re.compile(r"[-+]?0o[0-7]+")


def is_plain(node: ScalarNode) -> bool:
    """Unquoted, untagged (tags are refused before anything is built). libyaml marks a
    plain scalar's style "", PyYAML's Python reader None."""
    return not node.style


def spelled_otherwise(node: ScalarNode) -> bool:
    """Whether a plain scalar is a number written other than in decimal."""
    if not is_plain(node):
        return False
    if node.tag in (INT_TAG, FLOAT_TAG):
        return DECIMAL.fullmatch(node.value) is None
    return node.tag == STR_TAG and OTHER_NUMBER.fullmatch(node.value) is not None


def exponent_number(node: ScalarNode) -> float | None:
    """The value of a plain `1e-3` that PyYAML left as text, None for anything else."""
    if is_plain(node) and node.tag == STR_TAG and EXPONENT.fullmatch(node.value):
        return float(node.value)
    return None
