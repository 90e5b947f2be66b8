"""The built site in a real browser (Debian's chromium via Playwright)."""

from generator import BuildOptions, build


def test_event_page_renders_in_chromium(site, page, static_server):
    site.event("turkish-troops", title="Turkish troops deploy", date="2020-01-05")
    build(BuildOptions(site.root))
    base = static_server(site.root / "output")
    page.goto(base + "events/turkish-troops/")
    assert page.locator("h1").inner_text() == "Turkish troops deploy"
    assert page.locator("time").first.get_attribute("datetime") == "2020-01-05"
