"""Near-duplicate text for Chinese complaints: NFKC character bigrams and Jaccard similarity.

Word segmentation (jieba and the like) needs dictionaries and still splits place and unit names
unpredictably; character bigrams need nothing, work on any script and are what CJK search
engines (e.g. Lucene's CJKBigramFilter) fall back to. See docs/decisions/0006.
"""

from __future__ import annotations

import itertools
import unicodedata


def bigrams(text: str) -> frozenset[str]:
    chars = [
        c
        for c in unicodedata.normalize("NFKC", text).lower()
        if unicodedata.category(c)[0] in {"L", "N"}
    ]
    if len(chars) == 1:
        return frozenset(chars)
    return frozenset(a + b for a, b in itertools.pairwise(chars))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)
