"""The renderer's shortcuts through Jinja2 (render.Renderer.page, render._Context) render what Jinja2 does."""

from __future__ import annotations

import jinja2
from markupsafe import Markup
import pytest

from generator.read.config import load_config
from generator.model.errors import Problems
from generator.render.environment import make_environment
from generator.render.pages import Renderer
from generator.model.site import build_site


def renderer(site, environment=None, base_url=None) -> Renderer:
    config = load_config(site.root, Problems(), base_url)
    assert config is not None
    return Renderer(build_site(config, [], [], {}), site.root / "templates", "layout", environment)


def test_functions_that_take_the_context_still_get_it(site):
    (site.root / "templates/t.html").write_text(
        "{% macro box(x) %}[{{ x }}{% if caller is defined %}{{ caller() }}{% endif %}]{% endmacro %}"
        "{{ shout('a') }} {{ politely('b') }} {{ greet() }} {{ 'x-y'.split('-') | join('+') }}"
        " {{ numbers | map('string') | join }}"
        " {% for n in numbers %}{{ box(n) }}{% endfor %}{% call box('c') %}!{% endcall %}")
    r = renderer(site)
    r.env.globals["greet"] = jinja2.pass_context(lambda context: "hello " + context["who"])

    class Shouter:
        def shout(self, text):
            return text.upper()

        @jinja2.pass_context
        def politely(self, context, text):
            return f"{text}, {context['who']}"
    shouter = Shouter()
    r._globals.update(greet=r.env.globals["greet"], shout=shouter.shout, politely=shouter.politely)
    assert r.page("t.html", who="you", numbers=[1, 2]) == "A b, you hello you x+y 12 [1][2][c!]"


def test_calling_what_is_not_defined_names_it(site):
    (site.root / "templates/t.html").write_text("{{ nothing(1) }}")
    with pytest.raises(jinja2.UndefinedError, match="'nothing' is undefined"):
        renderer(site).page("t.html")


def test_each_renderer_renders_with_its_own_globals(site):
    # the preview server's builds share an environment; each renderer sets its site's globals
    (site.root / "templates/t.html").write_text("{{ site.absolute_url('a/') }}")
    environment = make_environment(site.root / "templates")
    first = renderer(site, environment, base_url="https://one.example/")
    second = renderer(site, environment, base_url="https://two.example/")
    assert second.page("t.html") != first.page("t.html")
    assert second.page("t.html") == "https://two.example/a/"
    assert first.page("t.html") == "https://one.example/a/"


class Html:
    def __html__(self):
        return "<i>safe</i>"

    def __str__(self):
        return "<unsafe>"


class Text(str):  # a string of a class of its own
    pass


VALUES = ["plain", "a & b", "<b>", 'say "x"', "it's", "", Markup("<b>kept</b>"), Text("<t>"), Html(), 42, 2.5, None,
          True, ["<l>"]]


@pytest.mark.parametrize("template", [
    "{% for value in values %}[{{ value }}]{% endfor %}",
    "{% for value in values %}[{{ value ~ '<' }}|{{ value | string }}|{{ value | e }}]{% endfor %}",
    "{% autoescape false %}{% for value in values %}[{{ value }}]{% endfor %}{% endautoescape %}",
    "{% autoescape flag %}{% for value in values %}[{{ value }}]{% endfor %}{% endautoescape %}",
])
def test_templates_escape_as_jinja2_does(tmp_path, template):
    (tmp_path / "t.html").write_text(template)
    (tmp_path / "t.txt").write_text(template)
    ours = make_environment(tmp_path)
    theirs = jinja2.Environment(loader=ours.loader, autoescape=ours.autoescape, undefined=jinja2.StrictUndefined)
    for name in ("t.html", "t.txt"):
        for flag in (True, False):
            expected = theirs.get_template(name).render(values=VALUES, flag=flag)
            assert ours.get_template(name).render(values=VALUES, flag=flag) == expected


def test_an_event_pages_facts_keep_their_words_apart_when_read_as_text(site):
    """Search engines and Pagefind read a page's text without the layout: each fact's heading must not run
    into the value before it ("TobrukTags")."""
    import re

    from generator import BuildOptions, build

    path = site.event("talks", title="Talks", actors="turkey, russia")
    path.write_text(path.read_text().replace("kind: military", "kind: military\nlocation: Tobruk\ntags: [Oil]"))
    build(BuildOptions(site.root))
    facts = site.read("events/talks/index.html").split('<dl class="facts">', 1)[1].split("</dl>", 1)[0]
    text = re.sub(r"<[^>]+>", "", facts)  # the text nodes, joined as they are
    assert "Tobruk" in text and "Oil" in text
    assert not re.search(r"</dd><dt", facts), facts
    assert not re.search(r"[a-z][A-Z]", text), text
