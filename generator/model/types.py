"""The typed model of a site: configuration, actors, events, pages. Built once, then only read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from generator.model.pickling import compact
from generator.model.dates import PartialDate

EndDate = Union[PartialDate, str, None]  # a date, "ongoing", or none


@compact
@dataclass(frozen=True)
class Source:
    url: str
    title: str
    publisher: str
    language: str
    date: PartialDate | None = None
    undated: bool = False  # the editor checked: the source shows no date ("n.d.")
    archive_url: str | None = None
    archived: PartialDate | None = None  # the date of the archived copy
    dead: PartialDate | None = None  # when the original was found gone: the archived copy is linked first


@dataclass(frozen=True)
class Side:
    id: str
    name: str
    short: str
    description: str


@dataclass(frozen=True)
class Role:
    """What an actor can do in an event (site.yaml's roles:). Only a role that acts counts as involvement on
    a side and may carry `supports`; enforcers, mediators, hosts, targets, claimants and reporters back no one."""

    id: str
    label: str  # the heading of its actors on event pages: "Enforced the embargo"
    acts: bool
    with_side: str = ""  # the heading when the actor acted for a side: "Supplied the {side}"
    description: str = ""

    def heading(self, side: Side | None) -> str:
        return self.with_side.format(side=side.short) if side is not None and self.with_side else self.label


@compact
@dataclass(frozen=True)
class Part:
    """One actor's part in an event: its role, the side it acted for (acting roles only) and its status,
    which is the event's unless the actor's own part is, say, alleged in a confirmed event."""

    id: str  # the actor's
    role: str = "acted"
    acts: bool = True
    supports: str | None = None
    status: str = "confirmed"


@dataclass(frozen=True)
class Involvement:
    start: PartialDate
    end: EndDate
    kind: str
    supports: str | None = None
    status: str = "confirmed"
    note: str = ""
    sources: tuple[Source, ...] = ()

    def covers(self, date: PartialDate) -> bool:
        """Whether a date could fall within this period, at the precision both are known to."""
        if date.last_day() < self.start.first_day():
            return False
        if isinstance(self.end, PartialDate) and date.first_day() > self.end.last_day():
            return False
        return True


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    type: str
    colour: str
    foreign: bool = True
    aliases: tuple[str, ...] = ()
    involvement: tuple[Involvement, ...] = ()

    @property
    def start(self) -> PartialDate | None:
        """When the actor's involvement began: its first confirmed period, else its first period at all."""
        confirmed = [period.start for period in self.involvement if period.status == "confirmed"]
        return min(confirmed or [period.start for period in self.involvement], default=None)


@dataclass(frozen=True)
class Place:
    """A place in the gazetteer (site.yaml's places:), where events can be marked on the map."""

    name: str
    lat: float
    lon: float
    country: str = ""  # a whole country (its ISO 3166-1 alpha-3 code), drawn as its outline
    radius: float = 0.0  # km: a region around the point, drawn as an area (0: a point, drawn as a circle)
    label: str = ""  # its name as pages show it (site.yaml's name:, per language), if not name itself
    foreign: bool = False  # the name shown is the default language's: this language has none of its own

    @property
    def is_region(self) -> bool:
        return bool(self.country) or self.radius > 0

    @property
    def shown(self) -> str:
        """The place's name in the pages (name is its key: events' locations name it, its page's URL is made
        from it)."""
        return self.label or self.name


@dataclass(frozen=True)
class MapConfig:
    """site.yaml's map: what the home page's map draws."""

    focus: tuple[str, ...] = ()  # ISO 3166-1 alpha-3 codes of the highlighted countries
    frame: tuple[float, float, float, float] = (-180.0, -60.0, 180.0, 80.0)  # west, south, east, north (degrees)
    title: str = ""  # the map's accessible title; from the focus countries' names when empty
    labels: tuple[tuple[str, float, float], ...] = ()  # more names to write (seas, regions): name, lat, lon


@dataclass(frozen=True)
class Language:
    """One of the languages a site is published in (site.yaml's languages:)."""

    code: str  # as in addresses and file names: 'id' (/id/…, about.id.md)
    name: str  # in the language itself: 'Bahasa Indonesia'
    locale: str  # for dates, numbers and <html lang>: 'en-GB'
    direction: str = "ltr"  # or 'rtl'


DEFAULT_ROLES = {role.id: role for role in (
    Role("acted", "Acted", True, "Acted for the {side}", "Took part directly, on a side or on none."),
    Role("supplier", "Supplied", True, "Supplied the {side}",
         "Provided weapons, equipment, fighters, money or other material support."),
    Role("enforcer", "Enforced the embargo or sanctions", False, "",
         "Inspected, seized or sanctioned under an embargo or other measures."),
    Role("mediator", "Mediated", False, "", "Convened or brokered talks without backing a party."),
    Role("host", "Hosted", False, "", "Received a visit, talks or a conference."),
    Role("target", "Targeted", False, "", "Was attacked, inspected, accused or sanctioned."),
    Role("claimant", "Claim made by", False, "", "Made the accusation or claim the event reports."),
    Role("reporter", "Reported by", False, "", "Documented or reported the facts."),
)}  # a site.yaml without roles: has these


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str
    base_url: str
    language: str
    period_start: PartialDate
    period_end: PartialDate
    sides: dict[str, Side]
    kinds: dict[str, str]
    actors: dict[str, Actor]
    page_size: int = 500
    places: dict[str, Place] = field(default_factory=dict)  # a name or alias as written -> its place
    roles: dict[str, Role] = field(default_factory=lambda: dict(DEFAULT_ROLES))
    languages: tuple[Language, ...] = ()  # every language of the site, the default first
    lang: str = ""  # the code of this configuration's language (its texts are in it)
    root_url: str = ""  # the base_url of the site in its default language ('' if it is this one)
    translations: dict[str, SiteConfig] = field(default_factory=dict)  # (the default's) the other languages'
    map: MapConfig | None = None  # None: no map (map: false, or no places to draw)
    search: bool = True  # a search page and a Pagefind index (`search: false` in site.yaml: neither)

    @property
    def language_info(self) -> Language:
        """This configuration's language."""
        return next((l for l in self.languages if l.code == self.lang), None) or \
            Language(self.lang or self.language, self.language, self.language)

    @property
    def default_language(self) -> str:
        return self.languages[0].code if self.languages else self.lang

    def in_language(self, code: str) -> SiteConfig:
        """The configuration with its texts in one of the site's languages."""
        return self if code == self.lang or code not in self.translations else self.translations[code]

    @property
    def root_path(self) -> str:
        """The path of the site's root (where the default language and the static files are)."""
        from urllib.parse import urlsplit

        path = urlsplit(self.root_url or self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def base_path(self) -> str:
        """The path part of base_url, always with a leading and trailing slash ('/timeline/')."""
        from urllib.parse import urlsplit

        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"


@compact
@dataclass(frozen=True)
class Correction:
    date: PartialDate
    note: str


@compact
@dataclass
class Event:
    slug: str
    path: str  # relative to the site folder, for messages
    title: str
    date: PartialDate
    actors: tuple[str, ...]  # every actor's id, in the order written
    kind: str
    sources: tuple[Source, ...]
    body: str  # Markdown
    end: EndDate = None
    approximate: bool = False
    supports: str | None = None
    status: str = "confirmed"
    denied_by: tuple[str, ...] = ()
    location: str | None = None
    tags: tuple[str, ...] = ()
    milestone: bool = False
    draft: bool = False
    updated: PartialDate | None = None
    corrections: tuple[Correction, ...] = ()
    html: str = ""  # rendered, sanitised summary
    excerpt: str = ""  # first paragraph of html
    fingerprint: str = ""  # hash of the event's file: what its pages depend on
    roles: tuple[Part, ...] = ()  # each actor's part, in the order of actors (all acted when left empty)
    language: str = ""  # the language of its title and summary, when not the site's default language
    translation: Translated | None = None  # of a translation (its own file, or an event shown in it)
    sort_title: str = ""  # the title it is ordered by, if not its own (a translation keeps the original's order)

    @property
    def parts(self) -> tuple[Part, ...]:
        """Each actor's part: as written, or, for an event made without them, every actor acted for the
        event's side."""
        return self.roles or tuple(Part(actor, "acted", True, self.supports, self.status) for actor in self.actors)

    @property
    def acting(self) -> tuple[Part, ...]:
        """The parts of the actors that acted (and so count as involvement, on a side or none)."""
        return tuple(part for part in self.parts if part.acts)

    def part(self, actor: str) -> Part | None:
        return next((part for part in self.parts if part.id == actor), None)

    def acted(self, actor: str) -> bool:
        return any(part.id == actor and part.acts for part in self.parts)

    @property
    def sides(self) -> tuple[str, ...]:
        """The sides its acting actors supported, each once, in order."""
        return tuple(dict.fromkeys(part.supports for part in self.parts if part.acts and part.supports))

    @property
    def sort_key(self) -> tuple[int, int, int, str, str]:
        """Chronological; a year-precision date before that year's months and days; then title and slug."""
        return (self.date.year, self.date.month, self.date.day, self.sort_title or self.title.casefold(), self.slug)


@compact
@dataclass(frozen=True)
class Translated:
    """What a translation says of itself: the file it translates, and who made it from what."""

    original: str  # the path of the file it translates (content/events/2020/x.md)
    path: str  # its own (content/events/2020/x.id.md)
    translated_from: str = ""  # a language code
    translator: str = ""
    reviewed: bool = False


@dataclass
class Page:
    """A content page (about, methodology) or an actor profile."""

    slug: str
    path: str
    title: str
    body: str
    html: str = ""
    extra: dict[str, object] = field(default_factory=dict)
    language: str = ""  # of its title and text, when a translation (or shown untranslated in another language)
    translation: Translated | None = None
