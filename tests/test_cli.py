"""The CLI as a user runs it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import re

import yaml


def test_build_prints_a_summary_line(site):
    site.event("a")
    result = site.run("build")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^Built \d+ files into .+output: (\d+) written, 0 unchanged, 0 removed, in [\d.]+ s "
                     r"\(peak memory \d+ MB\); 0 warnings\.$", result.stdout, re.M)
    again = site.run("build")
    assert re.search(r": 0 written, \d+ unchanged, 0 removed, in", again.stdout), again.stdout
    assert (site.root / "output/events/a/index.html").is_file()


def test_build_with_errors_exits_1_with_all_messages_and_no_traceback(site):
    site.event("a", actors="russsia")
    site.event("b", date="2021-02-30")
    result = site.run("build")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "content/events/a.md:4: unknown actor 'russsia' (did you mean 'russia'?)",
        "content/events/b.md:3: 'date': invalid date '2021-02-30': February 2021 has 28 days",
        "Build failed: 2 errors, 0 warnings.",
    ]
    assert not (site.root / "output").exists()


def test_check_writes_nothing_and_exits_1_on_errors(site):
    site.event("a")
    ok = site.run("check")
    assert ok.returncode == 0 and "Checked: no errors, 0 warnings" in ok.stdout
    assert not (site.root / "output").exists()
    site.write("content/events/bad.md", "---\ntitle: x\n")
    bad = site.run("check")
    assert bad.returncode == 1
    assert "content/events/bad.md:1: front matter is not closed" in bad.stderr


def test_strict_turns_warnings_into_failure(site):
    path = site.event("a")
    path.write_text(path.read_text().replace("kind: military", "kind: military\nlocaton: Tripoli"))
    assert site.run("check").returncode == 0
    strict = site.run("check", "--strict")
    assert strict.returncode == 1
    assert "content/events/a.md:6: warning: unknown field 'locaton' (did you mean 'location'?)" in strict.stderr


def test_usage_errors_exit_2(site):
    assert site.run("build", "--no-such-option").returncode == 2
    result = site.run("new", "Title", "--date", "2020-13", "--actor", "turkey", "--kind", "military")
    assert result.returncode == 2
    assert "month must be from 1 to 12" in result.stderr
    result = site.run("new", "Title", "--date", "2020", "--actor", "turky", "--kind", "military")
    assert result.returncode == 2 and "unknown actor 'turky' (did you mean 'turkey'?)" in result.stderr


def test_new_writes_an_event_that_passes_check_once_its_source_is_filled(site):
    result = site.run("new", "Turkish troops arrive in Tripoli", "--date", "2020-01", "--actor", "turkey",
                      "--kind", "military", "--supports", "gna")
    assert result.returncode == 0, result.stderr
    path = site.root / "content/events/2020/2020-01-turkish-troops-arrive-in-tripoli.md"
    assert path.is_file()
    assert site.run("check").returncode == 1  # the source stub is empty
    text = path.read_text()
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] == "Turkish troops arrive in Tripoli" and front["actors"] == ["turkey"]
    front["sources"] = [{"url": "https://example.org/x", "title": "Report", "publisher": "Example",
                         "date": "2020-01", "language": "en"}]
    path.write_text("---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n" + text.split("---\n", 2)[2])
    check = site.run("check", "--strict")
    assert check.returncode == 0, check.stderr
    again = site.run("new", "Turkish troops arrive in Tripoli", "--date", "2020-01", "--actor", "turkey",
                     "--kind", "military")
    assert again.returncode == 1 and "already exists; not overwritten" in again.stderr
    assert path.read_text().startswith("---\ntitle: Turkish troops arrive in Tripoli")


def test_help_lists_the_commands():
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("build", "check", "init", "new"):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.M), command


def test_a_bug_is_reported_in_one_line_without_a_traceback(site, monkeypatch, capsys):
    import pytest

    import generator.__main__ as cli_module

    def broken(*args, **kwargs):
        raise RuntimeError("something impossible")

    monkeypatch.setattr(cli_module, "build", broken)
    monkeypatch.setattr("sys.argv", ["generator", "build", "--site", str(site.root)])
    monkeypatch.delenv("GENERATOR_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        cli_module.main()
    assert exit_.value.code == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: something impossible" in err and "Traceback" not in err


def test_hints_give_a_command_that_works_outside_the_virtual_environment(site):
    """Not 'python -m generator', which fails without the virtual environment's libraries: the Python that
    runs the generator (.venv/bin/python from the repository)."""
    import shlex
    import subprocess
    import sys
    from pathlib import Path

    from conftest import ROOT

    result = site.run("new", "An event", "--date", "2020-01", "--actor", "turkey", "--kind", "military")
    assert result.returncode == 0, result.stderr
    hint = shlex.split(result.stdout.split("then run: ")[1])
    assert hint[1:] == ["-m", "generator", "check", "--site", str(site.root)]
    assert (ROOT / hint[0]).resolve() == Path(sys.executable).resolve()
    assert not Path(hint[0]).is_absolute()  # relative to the repository, where the user is
    ran = subprocess.run(hint, cwd=ROOT, capture_output=True, text=True)  # as the user would paste it
    assert ran.returncode == 1 and "Check failed" in ran.stderr  # (the new event's source is a stub)
    usage = site.run("bogus").stderr
    assert f"Usage: {hint[0]} -m generator [OPTIONS] COMMAND [ARGS]..." in usage


def test_set_up_installs_a_pip_that_knows_the_extra_lxml_provides():
    """jusText asks for lxml[html_clean]; lxml 6 provides it as html-clean, the same extra to pip 23.3 and later
    (PEP 685), while older ones print a warning at every set-up."""
    import importlib.metadata

    from conftest import ROOT

    pinned = re.search(r"^PIP_VERSION := ([\d.]+)$", (ROOT / "Makefile").read_text(), re.M)
    assert pinned and tuple(int(n) for n in pinned.group(1).split(".")) >= (23, 3)

    def normal(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    provided = {normal(extra) for extra in importlib.metadata.metadata("lxml").get_all("Provides-Extra") or []}
    asked = [extra for requirement in importlib.metadata.requires("justext") or []
             if (found := re.match(r"lxml\[([^\]]+)\]", requirement)) for extra in found.group(1).split(",")]
    assert asked and all(normal(extra) in provided for extra in asked)
