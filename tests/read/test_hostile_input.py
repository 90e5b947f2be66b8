"""A contributor's file cannot stall the build, fill the memory or crash it: every input file of up to 1 MB
is built or rejected (path:line: message, exit status 1) within bounded time and memory, whatever it holds."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import markdown
import pytest

from conftest import ROOT, SITE_YAML, ScratchSite
import generator.markup.markdown as markdown_module
from generator import BuildOptions, SiteError, build, check
from generator.model.limits import MAX_MARKDOWN_CHARS, MAX_MARKDOWN_NESTING
from generator.markup.markdown import MarkdownLimit, MarkdownRenderer, check_limits
from generator.read.yamldoc import YamlDoc, YamlError

MB = 1_000_000
SECONDS = 10  # the bound on building or rejecting any one input file (on two cores)
EXTRA_MB = 500  # the bound on the memory it may take above a normal build's


def front(extra: str = "", title: str = "Hostile") -> str:
    """An event's front matter (12 lines, so that its summary starts on line 13), with extra lines at line 6."""
    return (f"---\ntitle: {title}\ndate: 2020-01-02\nactors: [turkey]\nkind: military\n{extra}"
            "sources:\n  - url: https://example.org/x\n    title: A report\n    publisher: Example News\n"
            "    date: 2020-01-02\n    language: en\n---\n")


def laughs(field: str) -> str:
    """A billion laughs: 9^12 'lol's, referenced from one field (line 3 holds the first alias)."""
    lines = ["---", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    fields = {"title": "Laughs", "date": "2020-01-02", "actors": "[turkey]", "kind": "military", field: "*a11"}
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "\n".join(lines) + "\n---\nx\n"


def repeat(text: str, size: int = MB) -> str:
    return text * (size // len(text))


BODY = 99_000  # characters of Markdown: just under the limit
# file name -> its text and the problem it must get (None: it must build)
REJECTED = {
    **{f"laughs-{field}": (laughs(field), "3: YAML aliases are not allowed (*a0): write the value out in full")
       for field in ("date", "slug", "status", "end", "updated", "title", "actors", "location")},
    "deep-flow": (front("tags: " + "[" * (MB // 2) + "\n"), "6: lists and mappings nested more than 64 levels deep"),
    "deep-block": ("---\n" + "- " * (MB // 2) + "x\n---\nx\n", "2: lists and mappings nested more than 64 levels deep"),
    "deep-indent": ("---\n" + "".join(" " * i + f"k{i}:\n" for i in range(1400)) + "---\nx\n",
                    "66: lists and mappings nested more than 64 levels deep"),
    "many-keys": (front("".join(f"k{i}: v\n" for i in range(MB // 12))), "1002: a list or mapping of more than 1,000 items"),
    "many-tags": (front("tags: [" + ", ".join(f"t{i}" for i in range(MB // 9)) + "]\n"),
                  "6: a list or mapping of more than 1,000 items"),
    "many-actors": ("---\ntitle: x\ndate: 2020\nkind: military\nactors: [" + repeat("zz, ") + "zz]\n---\nx\n",
                    "5: a list or mapping of more than 1,000 items"),
    "long-markdown": (front() + "w" * 999_999 + "\n",
                      f"13: the Markdown is 1,000,000 characters long, more than the {MAX_MARKDOWN_CHARS:,} allowed"),
    "nested-list": (front() + "".join("    " * i + "- x\n" for i in range(100)),
                    "29: nested 17 levels deep in lists and block quotes, more than the 16 allowed"),
    "compact-list": (front() + "- " * 40_000 + "x\n",
                     "13: nested 40000 levels deep in lists and block quotes, more than the 16 allowed"),
    "nested-quotes": (front() + "> " * 40_000 + "x\n",
                      "13: nested 40000 levels deep in lists and block quotes, more than the 16 allowed"),
    "brackets": (front() + "[" * BODY, "13: too much work for the Markdown parser: 99,000 marks"),
    "bracket-paragraphs": (front() + repeat("[a " * 400 + "\n\n", BODY), "13: too much work for the Markdown parser"),
    "angle-brackets": (front() + repeat("<a ", BODY), "13: too much work for the Markdown parser"),
    "footnote-marks": (front() + repeat("[^", BODY), "13: too much work for the Markdown parser"),
    "emphasis": (front() + repeat("*_", BODY), "13: too much work for the Markdown parser"),
    "backticks": (front() + repeat("`a ", BODY), "13: too much work for the Markdown parser"),
    "escapes": (front() + repeat("\\* ", BODY), "13: too much work for the Markdown parser"),
    "line-breaks": (front() + repeat("a  \n", BODY), "13: too much work for the Markdown parser"),
    "entities": (front() + repeat("&amp; ", BODY), "13: too much work for the Markdown parser"),
    "html-lines": (front() + repeat("<div>\n", BODY), "13: too much work for the Markdown parser"),
    "date-9999": (front().replace("2020-01-02\nactors", "9999-12-31\nactors") + "x\n",
                  "3: 'date': invalid date '9999-12-31': years from 0001 to 9998 are supported"),
    "too-large": (front() + "x" * (2 * MB), ": the file is larger than 1 MB, the most a content file may be"),
}
# within every limit, yet among the slowest a file can be to build
HEAVY = {
    "nested-blocks": front() + repeat("- - - - - - - - a\n", BODY),
    "long-table": front() + "|a|b|\n|-|-|\n" + repeat("|x|y|\n", BODY),
    "many-headings": front() + "[TOC]\n\n" + repeat("## h\n\n", BODY),
    "html-blocks": front() + repeat("<div>\n\n", BODY),
    "long-title": front(title="x" * (MB - 400)) + "x\n",
}


def run_limited(site: ScratchSite, *args: str) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """The CLI in a subprocess whose processes may each map at most 2 GB (a runaway fails rather than fill the
    machine); its result, its seconds and its peak memory in MB (of its largest process, helpers included)."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    command = [sys.executable, "-m", "generator", *args, "--site", str(site.root)]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True, cwd=ROOT, preexec_fn=limit)
        deadline = started + SECONDS * 3
        while not (waited := os.wait4(process.pid, os.WNOHANG))[0]:
            if time.monotonic() > deadline:
                process.kill()
            time.sleep(0.01)
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(waited[1])
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(command, process.returncode, out.read(), err.read())
    return result, seconds, waited[2].ru_maxrss / 1024


@pytest.fixture
def baseline_mb(tmp_path) -> float:
    """The peak memory of building a normal small site, in a fresh process."""
    normal = ScratchSite(tmp_path / "normal")
    shutil.copytree(ROOT / "templates", normal.root / "templates")
    normal.write("site.yaml", SITE_YAML)
    normal.event("normal", title="A normal event")
    result, _, peak = run_limited(normal, "build", "--quiet", "--no-cache")
    assert result.returncode == 0, result.stderr
    return peak


def test_every_hostile_file_is_rejected_at_its_line_quickly(site, baseline_mb):
    site.event("normal", title="A normal event")
    for name, (text, _) in REJECTED.items():
        site.write(f"content/events/{name}.md", text)
    result, seconds, peak = run_limited(site, "build", "--quiet")
    assert result.returncode == 1, result.stderr[-2000:]
    assert "internal error" not in result.stderr
    lines = result.stderr.splitlines()
    for name, (_, problem) in REJECTED.items():
        expected = f"content/events/{name}.md{'' if problem.startswith(':') else ':'}{problem}"
        assert [line for line in lines if line.startswith(expected)], (expected, lines)
    assert not (site.root / "output").exists()
    assert seconds < SECONDS, f"{len(REJECTED)} hostile files took {seconds:.1f} s"
    assert peak < baseline_mb + EXTRA_MB


@pytest.mark.parametrize("name", HEAVY)
def test_a_heavy_file_within_the_limits_builds_in_bounded_time(site, baseline_mb, name):
    site.write(f"content/events/{name}.md", HEAVY[name])
    result, seconds, peak = run_limited(site, "build", "--quiet")
    assert result.returncode == 0, result.stderr[-2000:]
    assert seconds < SECONDS
    assert peak < baseline_mb + EXTRA_MB


def test_site_yaml_gets_the_same_limits(site):
    site.event("normal")
    text = (site.root / "site.yaml").read_text()
    site.write("site.yaml", "anchors: &a [1, 2]\n" + text + "more: *a\n")
    assert run_limited(site, "build")[0].stderr.splitlines()[0] == \
        f"site.yaml:{text.count(chr(10)) + 2}: YAML aliases are not allowed (*a): write the value out in full"
    site.write("site.yaml", text + "places:\n" + "".join(f"  P{i}: [1, 2]\n" for i in range(10_001)))
    assert "a list or mapping of more than 10,000 items" in run_limited(site, "build")[0].stderr
    site.write("site.yaml", text + "description: " + "x" * MB * 2 + "\n")
    assert run_limited(site, "build")[0].stderr.splitlines()[0] == \
        "site.yaml: the file is larger than 1 MB, the most it may be"


# -- the YAML loader ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, line, message", [
    ("a: &x [1]\nb: *x\n", 3, "YAML aliases are not allowed (*x): write the value out in full"),
    ("a: 1\nb: {<<: *x}\n", 3, "YAML aliases are not allowed (*x): write the value out in full"),
    ("a: " + "[" * 64 + "]" * 64 + "\n", 2, "lists and mappings nested more than 64 levels deep"),
    ("a: [" + ", ".join("1" * 1001) + "]\n", 2, "a list or mapping of more than 1,000 items"),
])
def test_yaml_beyond_the_limits(text, line, message):
    with pytest.raises(YamlError) as error:
        YamlDoc(text, first_line=2)
    assert (error.value.line, error.value.message) == (line, message)


@pytest.mark.parametrize("text", [
    "a: " + "[" * 63 + "]" * 63 + "\n",  # as deep as allowed (with the mapping around them)
    "a: [" + ", ".join("1" * 1000) + "]\n",  # as many as allowed
    "title: Tom & Jerry *live*\nurl: https://example.org/?a=1&b=*\n",  # marks that are no anchors or aliases
    "a: &x 1\n",  # an anchor alone repeats nothing
])
def test_yaml_within_the_limits(text):
    YamlDoc(text)


# -- the Markdown limits ------------------------------------------------------------------------

def nested_list(levels: int) -> str:
    return "".join("    " * level + "- item\n" for level in range(levels))


@pytest.mark.parametrize("text, line, levels", [
    (nested_list(MAX_MARKDOWN_NESTING + 1), MAX_MARKDOWN_NESTING + 1, MAX_MARKDOWN_NESTING + 1),
    ("Intro.\n\n" + "> " * 17 + "deep\n", 3, 17),
    ("- " * 17 + "x\n", 1, 17),
    ("1. " * 17 + "x\n", 1, 17),
    ("\t" * 16 + "- x\n", 1, 17),
])
def test_markdown_nested_too_deeply(text, line, levels):
    limit = check_limits(text)
    assert limit is not None and limit.line == line
    assert limit.message == f"nested {levels} levels deep in lists and block quotes, more than the 16 allowed"


@pytest.mark.parametrize("text", [
    nested_list(MAX_MARKDOWN_NESTING), "> " * 16 + "x\n", "- " * 16 + "x\n", "\t" * 15 + "- x\n",
    "        code in a list\n" * 50, "A paragraph with [a link](https://example.org/a_b) and *emphasis*.\n\n" * 1000,
])
def test_markdown_within_the_limits(text):
    assert check_limits(text) is None


def test_the_inline_work_is_summed_over_paragraphs():
    paragraph = "[a](b) " * 100  # 700 characters, 100 marks: 70,000
    assert check_limits("\n\n".join([paragraph] * 60)) is None  # 4.2 million
    limit = check_limits("\n\n".join([paragraph] * 80))  # 5.6 million
    assert limit is not None and limit.message.startswith("too much work for the Markdown parser: 100 marks")
    # each list item is parsed on its own: a long list of links is only the work of its items
    assert check_limits("".join(f"- [item {n}](https://example.org/{n})\n" for n in range(2000))) is None


def test_each_event_is_reported_at_its_summary_line(site):
    site.write("content/events/a.md", front() + "\nIntro.\n\n" + nested_list(20))
    with pytest.raises(SiteError) as error:
        check(BuildOptions(site.root))
    assert [str(p) for p in error.value.problems] == [
        "content/events/a.md:32: nested 17 levels deep in lists and block quotes, more than the 16 allowed"]


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_nesting_is_found_whatever_the_line_ends(site, line_end):
    (site.root / "content/events").mkdir(parents=True)
    (site.root / "content/events/a.md").write_bytes((front() + nested_list(20)).replace("\n", line_end).encode())
    with pytest.raises(SiteError) as error:
        check(BuildOptions(site.root))
    assert [str(p) for p in error.value.problems] == [
        "content/events/a.md:29: nested 17 levels deep in lists and block quotes, more than the 16 allowed"]


@pytest.fixture
def slow_markdown(monkeypatch):
    """A conversion of a text with SLOW in it keeps Python busy for 10 s, unless stopped; the time limit 0.5 s."""
    convert = markdown.Markdown.convert

    def slow(self, text):
        if "SLOW" in text:
            started = time.monotonic()
            while time.monotonic() < started + 10:
                pass
        return convert(self, text)

    monkeypatch.setattr(markdown.Markdown, "convert", slow)
    monkeypatch.setattr(markdown_module, "MARKDOWN_SECONDS", 0.5)


def test_a_conversion_that_takes_too_long_is_stopped(slow_markdown):
    renderer = MarkdownRenderer()
    started = time.monotonic()
    html = renderer.render_checked(["A *quick* one.", "SLOW", "Another."])
    assert time.monotonic() - started < 5
    assert html[0] == "<p>A <em>quick</em> one.</p>" and html[2] == "<p>Another.</p>"
    assert isinstance(html[1], MarkdownLimit)
    assert html[1].message == "the Markdown took more than 0.5 s to convert (the limit): simplify it"
    assert renderer.render("After *that*.") == "<p>After <em>that</em>.</p>"
    with pytest.raises(MarkdownLimit):
        renderer.render("SLOW again")


def test_a_slow_summary_fails_the_build_at_its_line_in_the_helpers_too(site, slow_markdown):
    for n in range(80):  # enough for the helper processes to parse events
        site.event(f"e{n:02}")
    site.write("content/events/slow.md", front() + "\nSLOW\n")
    started = time.monotonic()
    with pytest.raises(SiteError) as error:
        build(BuildOptions(site.root))
    assert time.monotonic() - started < 8
    assert [str(p) for p in error.value.problems] == [
        "content/events/slow.md:14: the Markdown took more than 0.5 s to convert (the limit): simplify it"]


def test_no_time_limit_outside_the_main_thread(monkeypatch):
    """The preview builds in a thread, where no alarm can be caught: the conversion runs to its end."""
    convert = markdown.Markdown.convert

    def slow(self, text):
        started = time.monotonic()
        while time.monotonic() < started + 0.3:
            pass
        return convert(self, text)

    monkeypatch.setattr(markdown.Markdown, "convert", slow)
    monkeypatch.setattr(markdown_module, "MARKDOWN_SECONDS", 0.01)
    found: list[object] = []
    thread = threading.Thread(target=lambda: found.extend(MarkdownRenderer().render_checked(["- a list"])))
    thread.start()
    thread.join()
    assert found == ["<ul>\n<li>a list</li>\n</ul>"]


# -- the file system ----------------------------------------------------------------------------

def run(site: ScratchSite, *args: str) -> subprocess.CompletedProcess[str]:
    result = site.cli(*args)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    return result


def test_a_symlink_loop_is_reported_once(site):
    site.event("a", folder="2020")
    (site.root / "content/events/2020/loop").symlink_to("..", target_is_directory=True)
    (site.root / "content/events/again").symlink_to("2020", target_is_directory=True)
    result = run(site, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/events/2020/loop: a symbolic link to content/events/, which is read already (a loop): not followed",
        "content/events/again: a symbolic link to content/events/2020/, which is read already (a loop): not followed",
        "Build failed: 2 errors, 0 warnings.",
    ]


def test_symlinks_are_followed_inside_the_site_only(site, tmp_path):
    site.write("shared/linked.md", front(title="Linked") + "A linked event.\n")
    site.event("a")
    (site.root / "content/events/shared").symlink_to(site.root / "shared", target_is_directory=True)
    assert run(site, "build").returncode == 0
    assert "Linked" in site.read("events/linked/index.html")
    outside = tmp_path / "outside.md"
    outside.write_text(front(title="Outside") + "Secret.\n")
    (site.root / "content/events/outside.md").symlink_to(outside)
    (site.root / "content/events/broken.md").symlink_to(site.root / "nothing-here.md")
    (site.root / "content/pages").mkdir()
    (site.root / "content/pages/about.md").symlink_to("about.md")  # a link to itself
    result = run(site, "build")
    assert result.returncode == 1
    assert sorted(result.stderr.splitlines()[:3]) == [
        "content/events/broken.md: a broken symbolic link",
        f"content/events/outside.md: a symbolic link to {outside}, outside the site: not followed",
        "content/pages/about.md: cannot read it: Too many levels of symbolic links",
    ]
    assert "Linked" in site.read("events/linked/index.html")  # the last good output stays


def test_a_file_name_that_is_not_utf8_is_reported_and_nothing_written(site):
    site.event("a")
    assert run(site, "build").returncode == 0
    output = {p: p.read_bytes() for p in (site.root / "output").rglob("*") if p.is_file()}
    site.event("b")
    os.rename(site.root / "content/events/b.md", os.fsencode(site.root / "content/events") + b"/caf\xe9.md")
    result = run(site, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == \
        "content/events/caf\\xe9.md: the name is not valid UTF-8: rename it (the file is skipped)"
    assert {p: p.read_bytes() for p in (site.root / "output").rglob("*") if p.is_file()} == output
    os.rename(os.fsencode(site.root / "content/events") + b"/caf\xe9.md", site.root / "content/events/cafe.md")
    assert run(site, "build").returncode == 0
    assert ": 0 written, " in run(site, "build").stdout  # and the cache saved it
    assert (site.root / "output/events/cafe/index.html").exists()


def test_a_static_file_name_that_is_not_utf8_is_reported(site):
    site.event("a")
    (site.root / "templates/static").mkdir(exist_ok=True)
    with open(os.fsencode(site.root / "templates/static") + b"/logo\xff.svg", "wb") as file:
        file.write(b"<svg/>")
    result = run(site, "build")
    assert result.returncode == 1
    assert "templates/static/logo\\xff.svg: the name is not valid UTF-8: rename it (the file is skipped)" in \
        result.stderr.splitlines()
    assert not (site.root / "output").exists()


def test_an_output_path_that_is_not_utf8_is_refused_before_anything_is_written(site, tmp_path):
    site.event("a")
    output = os.fsencode(tmp_path) + b"/out\xe9"
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--site", str(site.root), "--output", output],
                            capture_output=True, text=True, cwd=ROOT)
    assert (result.returncode, result.stderr.splitlines()[0]) == (
        1, f"{tmp_path}/out\\xe9: the output folder's path is not valid UTF-8: choose another")
    assert not os.path.exists(output) and not (site.root / ".cache").exists()


@pytest.mark.parametrize("make, message", [
    (lambda path: path.mkdir(), "site.yaml: a folder: site.yaml must be a file"),
    (lambda path: os.mkfifo(path), "site.yaml: not a regular file: site.yaml must be a file"),
    (lambda path: path.symlink_to("site.yaml"), "site.yaml: cannot read the file: Too many levels of symbolic links"),
    (lambda path: path.symlink_to("nothing.yaml"), "site.yaml: file not found: every site needs a site.yaml"),
])
def test_a_site_yaml_that_is_not_a_readable_file(site, make, message):
    (site.root / "site.yaml").unlink()
    make(site.root / "site.yaml")
    site.event("a")
    result = run(site, "build")
    assert (result.returncode, result.stderr.splitlines()[0]) == (1, message)
    assert run(site, "check").stderr.splitlines()[0] == message


def test_dates_beyond_what_the_tools_can_show_are_refused(site):
    site.event("last", date="9998-12-31", title="The last day")
    site.event("first", date="0001-01-01", title="The first day")
    assert run(site, "build").returncode == 0
    site.event("beyond", date="9999-12-31")
    result = run(site, "build")
    assert (result.returncode, result.stderr.splitlines()[0]) == (
        1, "content/events/beyond.md:3: 'date': invalid date '9999-12-31': years from 0001 to 9998 are supported")
    result = run(site, "new", "An event", "--date", "9999", "--actor", "turkey", "--kind", "military")
    assert result.returncode == 2 and "years from 0001 to 9998 are supported" in result.stderr
