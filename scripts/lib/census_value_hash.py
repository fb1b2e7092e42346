"""Python port of census's ValueHash (Sources/Store/Model/ValueHash.swift), the stable 64-bit hash of attribute values.

The one copy shared by the test oracles (Tests/e2e/expect.py and scripts/gen-fixtures.py): only value samples need it
(bucket = hash % 10). Strings and bytes are hashed as raw bytes, ints, bools and doubles as one 64-bit scalar.
"""

M64 = (1 << 64) - 1
P1, P2, P3, P4, P5 = 0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5
TAG_STRING, TAG_BOOL, TAG_INT, TAG_DOUBLE, TAG_BYTES, TAG_COMPOSITE, TAG_EMPTY = 1, 2, 3, 4, 5, 6, 7
CANONICAL_NAN = 0x7FF8000000000000


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & M64


def _round(acc: int, value: int) -> int:
    return (_rotl((acc + value * P2) & M64, 31) * P1) & M64


def _avalanche(h: int) -> int:
    h ^= h >> 33
    h = (h * P2) & M64
    h ^= h >> 29
    h = (h * P3) & M64
    return h ^ (h >> 32)


def hash_bytes(data: bytes, tag: int) -> int:
    """ValueHash.hash(_:tag:) over raw bytes."""
    n, i = len(data), 0
    h = (tag + P5 + n) & M64
    while i + 8 <= n:
        h ^= _round(0, int.from_bytes(data[i:i + 8], "little"))
        h = (_rotl(h, 27) * P1 + P4) & M64
        i += 8
    if i + 4 <= n:
        h ^= (int.from_bytes(data[i:i + 4], "little") * P1) & M64
        h = (_rotl(h, 23) * P2 + P3) & M64
        i += 4
    while i < n:
        h ^= (data[i] * P5) & M64
        h = (_rotl(h, 11) * P1) & M64
        i += 1
    return _avalanche(h)


def hash_scalar(value: int, tag: int) -> int:
    """ValueHash.hash(scalar:tag:) of a 64-bit scalar (ints, bool 0/1, double bits)."""
    return _avalanche(_round((tag + P5 + 8) & M64, value & M64))
