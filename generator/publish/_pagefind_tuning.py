"""A Pagefind setting it reads but does not document: fenced here, with a tripwire test.

What it relies on (Pagefind 1.5.x, the binary pinned in requirements.txt): the environment variable
PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE, the number of word locations Pagefind puts in one index chunk before it
starts the next (its default: 20,000). Pagefind calls it unstable; tests/publish/test_search.py
(test_pagefind_starts_a_new_index_chunk_once_one_holds_the_chosen_number_of_locations) fails when a version
stops reading it.

What it buys: a search loads the whole chunk that holds each of its words, and a word found on nearly every
page fills a chunk alone (on 10,000 events "the" is 87,000 locations, a 100 KB file). With the default, a rare
word just before it in alphabetical order is loaded with it: the largest first query of bench/search_bench.py
was 369 KB. With 2,000, a rare word's chunk is a few KB (about 300 chunk files instead of 110, and 3 KB more
metadata): 261 KB (bench/README.md, 2026-12-06). Without it, the search works as well, in larger downloads.
"""

from __future__ import annotations

import os

CHUNK_VARIABLE = "PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE"
INDEX_CHUNK_SIZE = 2000


def pagefind_environment() -> dict[str, str]:
    """The environment to run Pagefind in: this process's, with the chunk size set."""
    return {**os.environ, CHUNK_VARIABLE: str(INDEX_CHUNK_SIZE)}
