"""pyuca's Unicode collation with its table packed: the same keys in ~1 MB instead of ~11 MB.

pyuca keeps the DUCET (~30,000 code points, ~900 contractions) as a trie of Python objects:
11 MB in every gunicorn worker that sorts a name. CompactCollator is pyuca's own Collator (its
algorithm, its implicit weights, its file) with only the table replaced: single code points in
sorted arrays (code point, offset) and their weights in one array of 16-bit numbers; the few
contractions in a dict. find_prefix answers exactly as pyuca's Trie.find_prefix, so sort keys
are identical (tests/test_collation.py compares them for every entry of the table).
"""

from array import array
from bisect import bisect_left

from pyuca import Collator


class CompactTable:
    """pyuca's Trie interface (add while loading, then find_prefix) over packed arrays."""

    def __init__(self):
        # Filled while loading, straight into arrays: keeping ~30,000 small tuples alive until
        # the end would leave the memory they fragment behind (~12 MB of RSS for 1 MB of data).
        self._points = array("I")
        self._offsets = array("I")
        self._weights = array("H")
        self._multi = {}  # tuple of code points (2 or more) -> list of collation elements
        self._prefixes = set()  # every prefix of a contraction (a trie node without a value)
        self._starts = set()  # first code points of contractions
        self._ints = {}

    def add(self, key, value):
        if len(key) == 1:
            self._points.append(key[0])
            self._offsets.append(len(self._weights))
            for element in value:
                self._weights.extend(element)
            return
        key = tuple(key)
        self._multi[key] = [tuple(element) for element in value]
        self._starts.add(key[0])
        for n in range(2, len(key) + 1):
            self._prefixes.add(key[:n])

    def freeze(self):
        """Sorts the code points (pyuca's file lists each once, in code point order)."""
        self._offsets.append(len(self._weights))
        points = self._points
        if any(points[i] >= points[i + 1] for i in range(len(points) - 1)):
            order = sorted(range(len(points)), key=points.__getitem__)
            offsets, weights = self._offsets, self._weights
            self._points, self._offsets, self._weights = array("I"), array("I"), array("H")
            for i in order:  # a code point listed twice keeps its last weights, as in the trie
                if self._points and self._points[-1] == points[i]:
                    del self._weights[self._offsets.pop():]
                    self._points.pop()
                self._points.append(points[i])
                self._offsets.append(len(self._weights))
                self._weights.extend(weights[offsets[i]:offsets[i + 1]])
            self._offsets.append(len(self._weights))

    def _single(self, point):
        """The collation elements of one code point, or None if it is not in the table."""
        i = bisect_left(self._points, point)
        if i == len(self._points) or self._points[i] != point:
            return None
        # One int object per weight value, shared by every key (as pyuca's table shares them):
        # otherwise each cached sort key would hold ~20 fresh ints of its own (~0.5 KB).
        intern = self._ints.setdefault
        weights = [intern(w, w) for w in self._weights[self._offsets[i]:self._offsets[i + 1]]]
        return [tuple(weights[k:k + 3]) for k in range(0, len(weights), 3)]

    def find_prefix(self, key):
        """The longest prefix of `key` with a value, that value and the rest (as pyuca's Trie)."""
        success_index = 0
        success_value = None
        for i, part in enumerate(key):
            if i == 0:
                value = self._single(part)
                if value is None and part not in self._starts:
                    break
            else:
                prefix = tuple(key[:i + 1])
                if prefix not in self._prefixes:
                    break
                value = self._multi.get(prefix)
            if value:
                success_index = i + 1
                success_value = value
            if i == 0 and part not in self._starts:
                break  # no contraction starts here: the trie node has no children
        return key[:success_index], success_value, key[success_index:]


class CompactCollator(Collator):
    def load(self, filename):
        self.table = CompactTable()
        super().load(filename)
        self.table.freeze()
