"""An event shown in another language: the original's fields, the translation's title and texts."""

from __future__ import annotations

import dataclasses
import pickle

from generator.model.dates import PartialDate
from generator.model.languages import translated_event
from generator.model.types import Event, Translated


class CountingTexts(Event):
    """An Event whose texts are read when used, as the build cache's are, counting the reads."""

    reads: list[str]
    html = property(lambda self: self._read("html"))
    excerpt = property(lambda self: self._read("excerpt"))
    body = property(lambda self: self._read("body"))

    def _read(self, name: str) -> str:
        self.reads.append(name)
        return f"{name} in Indonesian"


def original() -> Event:
    return Event(slug="talks", path="content/events/talks.md", title="Talks", date=PartialDate(2020, 9, 1),
                 actors=("russia",), kind="diplomacy", sources=(), body="Body", html="<p>Body</p>",
                 excerpt="<p>Body</p>", fingerprint="f1", milestone=True, tags=("talks",))


def translation() -> CountingTexts:
    fields = dataclasses.asdict(original()) | {"title": "Perundingan", "fingerprint": "f2", "language": "id",
                                               "translation": Translated("content/events/talks.md", "content/events/talks.id.md", "en")}
    for name in ("html", "excerpt", "body"):
        del fields[name]
    made = CountingTexts.__new__(CountingTexts)
    made.__dict__.update(fields, reads=[])
    return made


def test_a_translated_event_has_the_originals_fields_and_the_translations_title_and_texts() -> None:
    shown = translated_event(original(), translated := translation(), "id")
    assert (shown.slug, shown.date, shown.actors, shown.milestone, shown.tags) == \
        ("talks", PartialDate(2020, 9, 1), ("russia",), True, ("talks",))
    assert (shown.title, shown.language, shown.sort_title, shown.fingerprint) == ("Perundingan", "id", "talks", "f1+f2")
    assert shown.translation == translated.translation
    assert (shown.html, shown.excerpt, shown.body) == ("html in Indonesian", "excerpt in Indonesian",
                                                      "body in Indonesian")
    assert isinstance(shown, Event) and "reads" not in vars(shown)


def test_a_translations_texts_are_read_only_when_its_event_is_shown() -> None:
    """Showing 10,000 events in a second language after an edit reads the texts of the few pages it renders,
    not those of every translation in the build cache."""
    translated = translation()
    shown = translated_event(original(), translated, "id")
    assert translated.reads == []
    assert shown.excerpt == "excerpt in Indonesian"
    assert translated.reads == ["excerpt"]


def test_a_translated_event_pickles_as_a_plain_event_with_its_texts() -> None:
    """The parallel build's workers send events back pickled: one shown in another language arrives whole."""
    back = pickle.loads(pickle.dumps(translated_event(original(), translation(), "id")))
    assert type(back) is Event
    assert (back.title, back.html, back.body) == ("Perundingan", "html in Indonesian", "body in Indonesian")
