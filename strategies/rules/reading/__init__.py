"""Text to raw data: YAML or JSON, with each path's line, hostile input refused early.

read_text  the entry point: size, encoding and characters, then JSON or YAML
yaml_text  YAML: an event scan (anchors, aliases, tags, depth, size) before composing
json_text  JSON: a bracket scan (depth, size) before decoding
"""

from strategies.rules.reading.text import read_text

__all__ = ["read_text"]
