"""A minimal Hugo site over the same generated events, for comparison only (Hugo is not a dependency)."""

from __future__ import annotations

from pathlib import Path

import yaml

LAYOUT = {
    "_default/baseof.html": "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title>"
                            "</head><body><main>{{ block \"main\" . }}{{ end }}</main></body></html>\n",
    "_default/single.html": "{{ define \"main\" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format \"2 January 2006\" }}"
                            "</time>{{ range .Params.actors }}<a href=\"/actors/{{ . }}/\">{{ . }}</a> {{ end }}"
                            "{{ .Content }}<ol>{{ range .Params.sources }}<li><a href=\"{{ .url }}\">{{ .title }}</a>, "
                            "{{ .publisher }}</li>{{ end }}</ol></article>{{ end }}\n",
    "_default/list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}<article><h2>"
                          "<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></h2>{{ .Summary }}</article>{{ end }}"
                          "{{ end }}\n",
    "index.html": "{{ define \"main\" }}<h1>{{ .Site.Title }}</h1>{{ range first 100 .Site.RegularPages }}"
                  "<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> {{ end }}{{ end }}\n",
}


def make_hugo_site(source: Path, target: Path) -> Path:
    """Copy source's events into a Hugo site at target (front matter dates made full, taxonomies for actors)."""
    if (target / "hugo.yaml").exists():
        return target
    (target / "content/events").mkdir(parents=True, exist_ok=True)
    (target / "hugo.yaml").write_text(yaml.safe_dump({
        "baseURL": "https://example.org/", "title": "Bench", "disableKinds": ["RSS", "sitemap"],
        "pagination": {"pagerSize": 500},
        "taxonomies": {"actor": "actors", "kind": "kinds", "tag": "tags"},
        "markup": {"goldmark": {"extensions": {"typographer": True, "footnote": True, "table": True}}},
    }))
    for name, text in LAYOUT.items():
        (target / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (target / "layouts" / name).write_text(text)
    for path in sorted((source / "content/events").rglob("*.md")):
        _, front, body = path.read_text().split("---\n", 2)
        meta = yaml.safe_load(front)
        date = str(meta["date"])
        date += "-01" * (2 - date.count("-"))
        meta["date"] = date
        meta["kinds"] = [meta.pop("kind")]
        for source_entry in meta.get("sources", []):
            source_entry.pop("date", None)
        (target / "content/events" / path.name).write_text("---\n" + yaml.safe_dump(meta) + "---\n" + body)
    return target
