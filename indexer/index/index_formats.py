"""The byte formats of what the index stores, packed and unpacked here and nowhere else.

- A posting's positions (``NewsPositions``): the count of positions as Whoosh packs a count
  (``pack_uint``: 4 bytes, big-endian, so that Whoosh's own ``Positions.decode_frequency`` reads
  it), then the gaps between positions, the first from 0, as native unsigned 32-bit integers (a C
  array, not Whoosh's pickle). Written by the schema's format and by the bulk writer, decoded one
  value at a time here and a posting block at a time with numpy.
- A posting's frequency (``NewsFrequency``): the count alone, packed as above.
- A field's length: Whoosh's one byte per document and field (``length_to_byte``), read back
  through its table (``byte_to_length``).
- A term: UTF-8 bytes as Whoosh stores it, or text as a query may hold it.
- A list of texts in a generation's own files (the table of stories, the suggestions): UTF-8,
  joined by ``\x1f``, as an array of bytes that ``np.savez`` keeps without pickling.

``tests/test_index_formats.py`` round-trips each, against Whoosh's own readers where Whoosh
reads them too, and checks that no other module packs or unpacks them.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import accumulate

import numpy as np
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte

POSITIONS_COUNT_BYTES = len(pack_uint(0))
_GAP = "I"  # the array type code of a gap: native unsigned 32-bit
_GAP_BYTES = array(_GAP).itemsize
# Whoosh's one-byte field lengths: the length of each byte, as a list (lookups one at a time)
# and as a numpy array (lookups of a whole column).
LENGTH_OF_BYTE = [byte_to_length(code) for code in range(256)]
LENGTH_OF_BYTE_ARRAY = np.array(LENGTH_OF_BYTE, dtype=np.float64)


def position_gaps(positions: Sequence[int]) -> list[int]:
    """The gaps between sorted ``positions``, the first from 0 (what a positions value holds)."""
    return [b - a for a, b in zip([0, *positions], positions, strict=False)]


def encode_positions(positions: Sequence[int]) -> bytes:
    """The posting value of ``positions`` (sorted)."""
    return positions_value(array(_GAP, position_gaps(positions)))


def positions_value(gaps: array[int]) -> bytes:
    """The posting value of positions already held as their gaps (an ``array('I')``)."""
    count: bytes = pack_uint(len(gaps))
    return count + gaps.tobytes()


def positions_values(counts: np.ndarray, starts: np.ndarray, gaps: np.ndarray) -> list[bytes]:
    """The posting values of postings whose positions are held as gaps: posting i's are the
    ``counts[i]`` gaps from ``starts[i]`` in ``gaps`` (uint32), all made at once."""
    total = int(counts.sum())
    runs = np.cumsum(counts) - counts  # where each posting's gaps start once gathered
    gathered = gaps[np.arange(total) - np.repeat(runs - starts, counts)]
    heads = runs + np.arange(len(counts))  # where each value starts, in 4-byte words
    words = np.empty(len(counts) + total, dtype=np.uint32)
    is_gap = np.ones(len(words), dtype=bool)
    is_gap[heads] = False
    words[heads] = counts.astype(">u4").view(np.uint32)  # the count as ``pack_uint`` packs it
    words[is_gap] = gathered
    data = words.tobytes()
    begins = (heads * _GAP_BYTES).tolist()
    ends = ((heads + counts + 1) * _GAP_BYTES).tolist()
    return [data[begin:end] for begin, end in zip(begins, ends, strict=True)]


def decode_positions(value: bytes) -> list[int]:
    """The positions of a posting value."""
    gaps = array(_GAP)
    gaps.frombytes(value[POSITIONS_COUNT_BYTES:])
    return list(accumulate(gaps))


def decode_position_block(values: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(count of positions of each value, every position of every value in order) of a posting
    block's values, decoded at once (the counts come from the values' sizes)."""
    words = np.frombuffer(b"".join(values), dtype=np.uint32)
    sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) // _GAP_BYTES
    starts = np.cumsum(sizes) - sizes  # where each value's count word is
    is_gap = np.ones(len(words), dtype=bool)
    is_gap[starts] = False
    counts = sizes - 1
    running = np.cumsum(np.where(is_gap, words, 0).astype(np.int64))
    positions = running[is_gap] - np.repeat(running[starts], counts)  # restarts per value
    return counts, positions


def frequency_value(count: int) -> bytes:
    """The posting value of a term found ``count`` times, without its positions."""
    value: bytes = pack_uint(count)
    return value


def frequency_values(counts: np.ndarray) -> list[bytes]:
    """The posting value of each count (``frequency_value``), made at once."""
    data = counts.astype(">u4").tobytes()
    size = POSITIONS_COUNT_BYTES  # a count packed alone
    return [data[at : at + size] for at in range(0, len(data), size)]


def field_length(code: int) -> int:
    """The field length a stored length byte stands for."""
    length: int = LENGTH_OF_BYTE[code]
    return length


def length_byte(length: int) -> int:
    """The byte Whoosh stores for a field ``length`` words long."""
    code: int = length_to_byte(length)
    return code


def term_text(term: str | bytes) -> str:
    """A term as text, from the UTF-8 bytes Whoosh stores or from text."""
    return term.decode("utf-8") if isinstance(term, bytes) else term


TEXTS_SEPARATOR = "\x1f"


def packed_texts(texts: list[str]) -> np.ndarray:
    """``texts`` as one array of bytes (none may hold ``TEXTS_SEPARATOR``)."""
    return np.frombuffer(TEXTS_SEPARATOR.join(texts).encode("utf-8"), dtype=np.uint8)


def unpacked_texts(packed: np.ndarray) -> list[str]:
    text = packed.tobytes().decode("utf-8")
    return text.split(TEXTS_SEPARATOR) if text else []
