"""The publishing pass: the feeds, sitemap and open data whose keys changed, the open data joined from
each event's fragments (patching the last build's files where their layout is known)."""

from __future__ import annotations



from generator.output.joined import Fragments
from generator.output.joined import Join
from generator.publish.exports import event_fragments
from generator.output.joined import Joined
from generator.publish.publishing import PUBLISHED, PublishJob, publishing_jobs
from generator.model.site import Site
from generator.engine.stored import preload
from generator.output.staging import Staging

from generator.pipeline.state import BuilderState


class PublishPass(BuilderState):
    """Which published files are stale, and how the joined ones are made."""

    def _stale_publishing(self, site: Site, pages: list[str], staging: Staging, keep: set[str]) -> list[PublishJob]:
        """The groups of feeds, sitemap and open data whose key changed; the others are kept as they are."""
        stale = []
        self._joined = {}
        jobs = publishing_jobs(site, pages, self.layout_key, self._join(site, staging))
        for code, other in site.translations.items():
            jobs += publishing_jobs(other, pages, self.layout_key, self._join(other, staging, code), code)
        written: dict[str, list[str]] = {}  # the files of each group, by its key, as the last build wrote them
        for rel, record in staging.records.items():
            if record.key.startswith(PUBLISHED):
                written.setdefault(record.key, []).append(rel)
        for job in jobs:
            previous = written.get(job.key, [])
            if previous and all(staging.fresh(rel, job.key) for rel in previous):
                keep.update(previous)
            else:
                stale.append(job)
        return stale

    def _join(self, site: Site, staging: Staging, language: str = "") -> Join:
        """exports.Join for this build: each event's fragment from the cache (else made now), and the
        unchanged events' parts copied from the file the last build wrote, when its layout is known. With a
        language, the files of the site in that language, under its folder."""
        data_key = f"{self.data_key}:{language}" if language else self.data_key
        keys = [f"{data_key}:{event.fingerprint}" for event in site.events]

        def join(rel: str, head: bytes, separator: bytes, tail: bytes, n: int) -> Joined:
            rel = f"{language}/{rel}" if language else rel
            layout, record = self.cache.layout(rel), staging.records.get(rel)
            if layout is None or record is None or (layout.key, layout.size) != (record.key, record.size) or \
                    not staging.untouched(rel):
                layout = None  # the file is not as the last build wrote it: joined afresh
            joined = Joined(
                head, separator, tail, keys,
                lambda wanted: {k: f[n] for k, f in self._fragments(site, wanted, data_key).items()},
                (staging.root + rel, layout) if layout else None)
            self._joined[rel] = joined.layout("")  # not the Joined: its new bytes go once it is written
            return joined
        return join

    def _fragments(self, site: Site, keys: list[str], data_key: str) -> dict[str, Fragments]:
        """The open data fragments of the events under these keys: made with the events parsed since the
        last build that wrote the open data, else made now (when the last files cannot be patched)."""
        made = self._made_fragments
        missing = [key for key in keys if key not in made]
        if missing:
            events = {f"{data_key}:{event.fingerprint}": event for event in site.events}
            preload(events[key] for key in missing)
            made.update((key, event_fragments(site, events[key])) for key in missing)
        return {key: made[key] for key in keys}
