"""The packed collation table gives exactly pyuca's sort keys."""

import random

from pyuca import Collator

from wg.collation import CompactCollator


def _entries(node, path, out):
    if node.value is not None:
        out.append("".join(map(chr, path)))
    for point, child in (node.children or {}).items():
        _entries(child, path + [point], out)
    return out


def test_same_keys_as_pyuca_for_every_entry_and_mixed_strings():
    reference, compact = Collator(), CompactCollator()
    entries = _entries(reference.table.root, [], [])
    assert len(entries) > 30000
    for text in entries:
        assert compact.sort_key(text) == reference.sort_key(text), repr(text)
    # Mixed strings: contractions next to other letters, combining marks after them (the
    # non-starter rule), unlisted code points (implicit weights), names.
    pool = [e for e in entries if len(e) > 1] + [chr(c) for c in range(0x20, 0x250)]
    pool += [chr(c) for c in range(0x300, 0x370)] * 10 + ["\u4e00", "\U00020000", "\uffff"]
    rng = random.Random(15)
    texts = ["Côte d'Ivoire", "Curaçao", "Åland", "Ärzte", "ASEAN Secretariat", "Afghanistan",
             "Ljubljana", "Dž", "ǅ", "Москва", "العربية", "中文"]
    texts += ["".join(rng.choice(pool) for _ in range(rng.randint(1, 6))) for _ in range(20000)]
    for text in texts:
        assert compact.sort_key(text) == reference.sort_key(text), repr(text)
