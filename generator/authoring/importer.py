"""`import`: turn a news article, in any language, into a draft event with its evidence.

Reads the article (article.py), then detects its language (language.py), the actors it names and
the keywords of its kind (mentions.py, kind_words.py) and the dates it mentions
(date_mentions.py); every detection can be overridden by an option. draft.py writes the result.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator.authoring.article import Article, fail, read_article
from generator.model.text import slugify
from generator.authoring.date_mentions import DateMention, find_dates
from generator.model.dates import PartialDate
from generator.authoring.kind_words import kind_terms
from generator.authoring.language import MIN_PROBABILITY, detect_language
from generator.authoring.mentions import Mention, find_terms
from generator.model.types import SiteConfig
from generator.authoring.scaffold import event_path

MIN_MENTIONS = 2  # an actor named fewer times goes into a comment, not into `actors`
MIN_SHARE = 0.25  # ... and so does one named less than a quarter as often as the most named
SLUG_WORDS = 8


@dataclass(frozen=True)
class ImportOptions:
    """What the editor gave on the command line; None means: detect it."""

    article: str  # a file, or '-' for standard input
    site_dir: Path = Path(".")
    url: str | None = None
    publisher: str | None = None
    language: str | None = None
    date: PartialDate | None = None  # the event's date
    published: PartialDate | str | None = None  # the article's publication date, or 'n.d.'
    title: str | None = None  # the event's title
    actors: tuple[str, ...] = ()
    kind: str | None = None
    slug: str | None = None


@dataclass(frozen=True)
class Finding:
    """One detected (or given) value, how sure the importer is of it, and where it came from."""

    value: str | None  # None: not found, the editor fills it in
    sure: str  # 'given', 'high', 'medium', 'low', or a probability such as '0.85'
    how: str


@dataclass(frozen=True)
class ActorMentions:
    actor: str
    mentions: tuple[Mention, ...]

    @property
    def count(self) -> int:
        return len(self.mentions)


@dataclass
class Draft:
    """Everything the draft file and the report say."""

    article: Article
    config: SiteConfig
    path: Path
    title: Finding
    source_title: Finding
    date: PartialDate
    date_finding: Finding
    language: Finding
    actors: tuple[str, ...]
    actors_finding: Finding
    named: list[ActorMentions]  # every actor named, most named first
    kind: Finding
    kind_scores: list[tuple[str, Counter[str]]]  # kind -> keyword counts, best first
    url: Finding
    publisher: Finding
    published: Finding
    dates: list[DateMention]  # every date mentioned, in order of appearance


def prepare_draft(config: SiteConfig, options: ImportOptions) -> Draft:
    """Read the article and detect everything; SiteError for input that cannot make a draft."""
    article = read_article(options.article)
    lines = article.text.split("\n")
    code, language = _language(article, options)
    named = count_actors(lines, config)
    actors, actors_finding = _actors(named, options)
    kind_scores = score_kinds(lines, config, code, [m for a in named for m in a.mentions])
    dates = find_dates(article.text, code)
    date, date_finding = _event_date(article, dates, config, options)
    source_title = (Finding(article.title, "high" if article.html else "medium",
                            "the page's title" if article.html else "the first line, which reads as a headline")
                    if article.title else Finding(None, "low", "no headline found"))
    title = Finding(options.title, "given", "--title") if options.title else source_title
    kind = _kind(kind_scores, options)
    # A slug is part of the site's addresses: from a title in the site's language, else from ids.
    readable = bool(options.title) or _primary(config.language) == _primary(code)
    slug = options.slug or _slug(title.value if readable else None, actors, kind.value)
    return Draft(article=article, config=config, path=event_path(options.site_dir, date, slug), title=title,
                 source_title=source_title, date=date, date_finding=date_finding, language=language,
                 actors=actors, actors_finding=actors_finding, named=named, kind=kind, kind_scores=kind_scores,
                 url=_url(article, options), publisher=_publisher(article, options),
                 published=_published(article, options), dates=dates)


def _language(article: Article, options: ImportOptions) -> tuple[str, Finding]:
    if options.language:
        return options.language, Finding(options.language, "given", "--language")
    guess = detect_language(f"{article.title or ''}\n{article.text}")
    if guess is None or not guess.sure:
        best = f" (best guess '{guess.code}', probability {guess.probability:.2f} < {MIN_PROBABILITY})" \
            if guess else " (too little text)"
        raise fail(article.name, f"cannot detect the language{best}: give it with --language, e.g. --language en")
    return guess.code, Finding(guess.code, f"{guess.probability:.2f}", "py3langid")


def count_actors(lines: list[str], config: SiteConfig) -> list[ActorMentions]:
    """Mentions of each actor's name and aliases, most named first (then in site.yaml's order)."""
    named = []
    for ident, actor in config.actors.items():
        mentions = find_terms(lines, (actor.name, *actor.aliases))
        if mentions:
            named.append(ActorMentions(ident, tuple(mentions)))
    return sorted(named, key=lambda a: -a.count)


def _actors(named: list[ActorMentions], options: ImportOptions) -> tuple[tuple[str, ...], Finding]:
    if options.actors:
        return options.actors, Finding(", ".join(options.actors), "given", "--actor")
    if not named:
        return (), Finding(None, "low", "no actor of site.yaml is named in the text")
    floor = max(MIN_MENTIONS, named[0].count * MIN_SHARE)
    chosen = [a for a in named if a.count >= floor]
    if not chosen:
        return (), Finding(None, "low", f"no actor is named {MIN_MENTIONS} times or more")
    sure = "high" if all(a.count >= 3 for a in chosen) else "medium"
    how = f"named at least {MIN_MENTIONS} times and at least a quarter as often as the most named"
    return tuple(a.actor for a in chosen), Finding(", ".join(a.actor for a in chosen), sure, how)


def score_kinds(lines: list[str], config: SiteConfig, language: str,
                exclude: list[Mention]) -> list[tuple[str, Counter[str]]]:
    """Keyword counts per kind, best first; keywords inside an actor's name do not count."""
    terms = kind_terms(list(config.kinds), language)
    scores: dict[str, Counter[str]] = {}
    for mention in find_terms(lines, terms, exclude):
        word = lines[mention.line - 1][mention.start:mention.end].lower()
        scores.setdefault(terms[mention.term], Counter())[word] += 1
    return sorted(scores.items(), key=lambda item: -sum(item[1].values()))


def _kind(scores: list[tuple[str, Counter[str]]], options: ImportOptions) -> Finding:
    if options.kind:
        return Finding(options.kind, "given", "--kind")
    totals = [(kind, sum(counts.values())) for kind, counts in scores]
    if not totals:
        return Finding(None, "low", "no keyword of any kind found")
    best, score = totals[0]
    runner_up = totals[1][1] if len(totals) > 1 else 0
    if score >= 3 and score >= 2 * runner_up:
        return Finding(best, "high", f"{score} keywords, against {runner_up} for any other kind")
    if score >= 3 and score >= 1.5 * runner_up:
        return Finding(best, "medium", f"{score} keywords, against {runner_up} for any other kind")
    return Finding(None, "low", f"not clear: {', '.join(f'{k} {n}' for k, n in totals)}")


def _event_date(article: Article, dates: list[DateMention], config: SiteConfig,
                options: ImportOptions) -> tuple[PartialDate, Finding]:
    if options.date:
        return options.date, Finding(options.date.iso(), "given", "--date")
    published = options.published if isinstance(options.published, PartialDate) else article.published
    proposed = propose_date(dates, published, config)
    if proposed is not None:
        precision = proposed.date.precision
        how = f"\"{proposed.text}\" (line {proposed.lines[0]}), the latest {precision}-precise date in the text"
        if published:
            how += f" not after the publication date ({published})"
        return proposed.date, Finding(proposed.date.iso(), "medium" if precision == "day" else "low", how)
    if published:
        return published, Finding(published.iso(), "low", "the publication date: no date in the text")
    raise fail(article.name, "no date found in the text or the page: give the event's date with --date")


def propose_date(dates: list[DateMention], published: PartialDate | None,
                 config: SiteConfig) -> DateMention | None:
    """The latest of the most precise dates mentioned, within the site's period and not after
    the publication date when those leave any."""
    candidates = [d for d in dates if published is None or d.date.first_day() <= published.last_day()]
    in_period = [d for d in candidates if config.period_start.first_day() <= d.date.first_day()
                 and d.date.last_day() <= config.period_end.last_day()]
    candidates = in_period or candidates
    precision = {"day": 2, "month": 1, "year": 0}
    return max(candidates, key=lambda d: (precision[d.date.precision], d.date.last_day()), default=None)


def _url(article: Article, options: ImportOptions) -> Finding:
    if options.url:
        return Finding(options.url, "given", "--url")
    if article.url:
        return Finding(article.url, "high", "the page's canonical address")
    return Finding(None, "low", "not found: give --url or fill it in")


def _publisher(article: Article, options: ImportOptions) -> Finding:
    if options.publisher:
        return Finding(options.publisher, "given", "--publisher")
    if article.site_name:
        return Finding(article.site_name, "high", "the page's site name")
    url = options.url or article.url
    host = urlsplit(url).hostname if url else None
    if host:
        return Finding(host.removeprefix("www."), "low", "the address's host name: give the publisher's name")
    return Finding(None, "low", "not found: give --publisher or fill it in")


def _published(article: Article, options: ImportOptions) -> Finding:
    if isinstance(options.published, PartialDate):
        return Finding(options.published.iso(), "given", "--published")
    if options.published is not None:
        return Finding("n.d.", "given", "--published")
    if article.published:
        return Finding(article.published.iso(), "high", "the page's publication date (htmldate)")
    return Finding("n.d.", "low", "no publication date found: give the date the article shows, if any")


def _primary(language: str) -> str:
    return language.split("-")[0].lower()


def _slug(title: str | None, actors: tuple[str, ...], kind: str | None) -> str:
    """The title's first words; without a title, the actor ids and the kind."""
    words = [word for word in slugify(title or "").split("-") if word][:SLUG_WORDS]
    if not words:
        words = [*actors[:3], *([kind] if kind else [])] or ["imported-article"]
    return "-".join(words)
