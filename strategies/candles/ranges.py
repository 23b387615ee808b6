"""Half-open time ranges [start, end) in ms: what a series holds, and what it lacks."""

Range = tuple[int, int]


def merged(ranges: list[Range]) -> list[Range]:
    """Sorted, with overlapping or touching ranges joined."""
    result: list[list[int]] = []
    for start, end in sorted((int(a), int(b)) for a, b in ranges if b > a):
        if result and start <= result[-1][1]:
            result[-1][1] = max(result[-1][1], end)
        else:
            result.append([start, end])
    return [(start, end) for start, end in result]


def missing(held: list[Range], start: int, end: int) -> list[Range]:
    """The parts of [start, end) that `held` does not cover, in order."""
    gaps, cursor = [], start
    for held_start, held_end in merged(held):
        if held_end <= cursor:
            continue
        if held_start >= end:
            break
        if held_start > cursor:
            gaps.append((cursor, held_start))
        cursor = max(cursor, held_end)
    if cursor < end:
        gaps.append((cursor, end))
    return gaps
