"""Joined files: patched from the previous build's file, they hold exactly what joining afresh gives."""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import examples

from generator.output.joined import Joined, Layout

KEYS = [f"k{n}" for n in range(12)]


def plain(head: bytes, sep: bytes, tail: bytes, keys: list[str], parts: dict[str, bytes]) -> bytes:
    return head + sep.join(parts[key] for key in keys) + tail


def parts_for(keys: list[str], version: int) -> dict[str, bytes]:
    # a key names its content: the same key always has the same bytes (of a length that varies by key)
    return {key: f"<{key}:{'x' * (int(key[1:]) % 5)}:{version}>".encode() for key in keys}


def write_joined(path: Path, joined: Joined) -> None:
    joined.write(str(path))


@settings(max_examples=examples(150), deadline=None)
@given(old=st.lists(st.sampled_from(KEYS), unique=True, max_size=10),
       new=st.lists(st.sampled_from(KEYS), unique=True, max_size=10),
       sep=st.sampled_from([b",", b"", b";\n"]), head=st.binary(max_size=5), tail=st.binary(max_size=5))
@example(old=["k1", "k6"], new=["k6", "k1"], sep=b",", head=b"", tail=b"")  # same size, parts swapped
def test_a_patched_file_equals_a_file_joined_afresh(tmp_path_factory, old, new, sep, head, tail):
    folder = tmp_path_factory.mktemp("joined")
    parts = parts_for(KEYS, 1)
    requested: list[list[str]] = []

    def part(wanted: list[str]) -> dict[str, bytes]:
        requested.append(wanted)
        return {key: parts[key] for key in wanted}

    first = Joined(head, sep, tail, old, part, None)
    before = folder / "before"
    write_joined(before, first)
    assert before.read_bytes() == plain(head, sep, tail, old, parts) == first.bytes()
    assert first.size == before.stat().st_size
    layout = first.layout("job")

    requested.clear()
    second = Joined(head, sep, tail, new, part, (str(before), layout))
    expected = plain(head, sep, tail, new, parts)
    assert requested == [[key for key in new if key not in old]]  # only the parts the old file lacks
    after = folder / "after"
    write_joined(after, second)
    assert after.read_bytes() == expected == second.bytes()
    assert second.same_as(str(before)) == (expected == before.read_bytes())
    assert second.same_as(str(after))
    # and the new layout describes the new file
    again = Joined(b"H", sep, b"T", new, lambda wanted: {}, (str(after), second.layout("job")))
    assert again.bytes() == b"H" + sep.join(parts[key] for key in new) + b"T"


def test_a_layout_survives_packing():
    joined = Joined(b"[", b",", b"]", ["a", "b"], lambda wanted: {"a": b"1", "b": b"22"}, None)
    layout = joined.layout("key")
    again = Layout.unpack(*layout.pack())
    assert again == layout and list(again.starts) == [1, 3] and list(again.lengths) == [1, 2]
