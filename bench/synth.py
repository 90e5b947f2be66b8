"""Write N realistic synthetic events into a scratch copy of the bundled site (deterministic)."""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

WORDS = ("the forces government militia ceasefire offensive airport convoy drones negotiators envoy council "
         "coast port oil fields mercenaries contractors embargo panel report officials statement ministry "
         "delegation talks agreement brigade air defence shipment cargo vessel inspection sanctions talks "
         "capital frontline withdrawal deployment training advisers airstrike pilots aircraft base region "
         "southern eastern western tribal leaders parliament vote memorandum maritime boundary").split()
PLACES = ["Tripoli", "Benghazi", "Sirte", "Jufra", "Misrata", "Tobruk", "Derna", "Gharyan", "Tarhuna", "al-Watiya"]
KINDS = ["military", "mercenaries", "arms", "diplomacy", "economic", "humanitarian", "sanctions"]


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, words: int) -> tuple[str, int]:
    out, count = [], 0
    while count < words:
        n = rng.randint(8, 22)
        out.append(sentence(rng, n))
        count += n
    return " ".join(out), count


def event_text(rng: random.Random, index: int, actors: list[str], sides: list[str]) -> str:
    year = rng.randint(2014, 2021)
    precision = rng.random()
    if precision < 0.1:
        date = f"{year}"
    elif precision < 0.3:
        date = f"{year}-{rng.randint(1, 12):02d}"
    else:
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    chosen = rng.sample(actors, rng.randint(1, 3))
    front: dict[str, object] = {
        "title": sentence(rng, rng.randint(4, 9)).rstrip(".") + f" ({index})",
        "date": date,
        "actors": chosen,
        "kind": rng.choice(KINDS),
    }
    if rng.random() < 0.7:
        front["supports"] = rng.choice(sides)
    if rng.random() < 0.2:
        front["status"] = rng.choice(["alleged", "denied"])
        front["denied_by"] = [chosen[0]]
    if rng.random() < 0.1:
        front["approximate"] = True
    if rng.random() < 0.05:
        front["end"] = "ongoing"
    front["location"] = rng.choice(PLACES)
    front["tags"] = rng.sample(["drones", "wagner", "ceasefire", "oil", "arms-embargo", "troops", "talks"], 2)
    if rng.random() < 0.03:
        front["milestone"] = True
    front["sources"] = [
        {"url": f"https://news{n}.example.org/{year}/{index}-{n}", "title": sentence(rng, 7).rstrip("."),
         "publisher": f"Example News {n}", "date": date, "language": rng.choice(["en", "fr", "ar", "it"])}
        for n in range(rng.randint(1, 4))
    ]
    target = rng.randint(150, 400)  # words in the whole summary, list and footnote included
    listing = [sentence(rng, 6), sentence(rng, 8), sentence(rng, 5)]
    footnote = sentence(rng, 10)
    lead = ' The panel said it was "highly probable" -- a claim others denied.[^1]'
    remaining = target - 19 - 13 - 10
    parts = []
    while remaining > 0:
        text, n = paragraph(rng, min(remaining, rng.randint(40, 90)))
        parts.append(text)
        remaining -= n
    parts[0] += lead
    parts.insert(1, "\n".join("- " + item for item in listing))
    parts.append("[^1]: " + footnote)
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + "\n\n".join(parts) + "\n"


def in_languages(value: object, codes: tuple[str, ...]) -> object:
    """site.yaml's data with each per-language text kept for these languages only (the first's text alone
    when there is one language)."""
    if isinstance(value, dict):
        if value and all(isinstance(k, str) and len(k) <= 3 and isinstance(v, str) for k, v in value.items()) \
                and "en" in value:
            kept = {code: text for code, text in value.items() if code in codes}
            return kept[codes[0]] if len(codes) == 1 else kept
        return {key: in_languages(item, codes) for key, item in value.items()}
    if isinstance(value, list):
        return [in_languages(item, codes) for item in value]
    return value


def refresh_site(target: Path, languages: tuple[str, ...] = ("en",)) -> None:
    """Copy the bundled site.yaml, templates and pages into target (events are left alone); the site in these
    of the bundled site's languages (the first is the default)."""
    target.mkdir(parents=True, exist_ok=True)
    if (target / "templates").exists():
        shutil.rmtree(target / "templates")
    shutil.copytree(ROOT / "templates", target / "templates")
    if (ROOT / "content/pages").is_dir():
        shutil.copytree(ROOT / "content/pages", target / "content/pages", dirs_exist_ok=True)
    config = yaml.safe_load((ROOT / "site.yaml").read_text())
    config = in_languages(config, languages)
    if len(languages) == 1:
        config.pop("languages", None)
        config["language"] = "en-GB"
    else:
        config["languages"] = {code: config["languages"][code] for code in languages}
    for page in (target / "content/pages").glob("*.*.md"):  # translations of languages not kept
        if page.name.split(".")[-2] not in languages[1:]:
            page.unlink()
    if not config.get("actors"):  # a site.yaml without actors still benchmarks: add a few
        config["actors"] = {name: {"name": name.title(), "colour": "#555555"} for name in ("alpha", "beta", "gamma")}
    for actor in config["actors"].values():  # synthetic dates ignore the real involvement periods
        actor.pop("involvement", None)
    (target / "site.yaml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))


TRANSLATED = ("pasukan pemerintah milisi gencatan senjata serangan bandara konvoi drone perunding utusan dewan "
              "pantai pelabuhan minyak tentara bayaran kontraktor embargo panel laporan pejabat pernyataan "
              "kementerian delegasi perundingan kesepakatan brigade pertahanan udara kiriman kargo kapal").split()


def translation_text(rng: random.Random, index: int) -> str:
    """An event's translation: its own title and summary, nothing else (the rest is the original's)."""
    title = " ".join(rng.choice(TRANSLATED) for _ in range(7)).capitalize()
    body = "\n\n".join(" ".join(rng.choice(TRANSLATED) for _ in range(rng.randint(40, 90))).capitalize() + "."
                       for _ in range(rng.randint(1, 3)))
    return f"---\ntitle: \"{title} {index}\"\ntranslated_from: en\nreviewed: false\n---\n\n{body}\n"


def make_site(target: Path, count: int, seed: int = 1, languages: tuple[str, ...] = ("en",)) -> Path:
    """A scratch site at target with the bundled config, templates and pages, and count synthetic events, each
    translated into every language of `languages` but the first."""
    if target.exists():
        shutil.rmtree(target)
    refresh_site(target, languages)
    config = yaml.safe_load((target / "site.yaml").read_text())
    actors = sorted(config["actors"])
    sides = sorted(config["sides"])
    rng = random.Random(seed)
    translations = random.Random(seed + 1)  # (the originals are the same whatever the languages)
    events = target / "content/events"
    for index in range(count):
        folder = events / f"{index // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"event-{index:05d}.md").write_text(event_text(rng, index, actors, sides), encoding="utf-8")
        for code in languages[1:]:
            (folder / f"event-{index:05d}.{code}.md").write_text(translation_text(translations, index),
                                                                       encoding="utf-8")
    return target


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    make_site(args.target, args.count, args.seed)
