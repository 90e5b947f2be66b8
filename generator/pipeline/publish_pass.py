"""The publishing pass: the feeds, sitemap and open data whose keys changed, the open data joined from
each event's fragments (patching the last build's files where their layout is known)."""

from __future__ import annotations



from generator.output.joined import Fragments
from generator.output.joined import Join
from generator.publish.exports import event_fragments
from generator.output.joined import Joined
from generator.publish.publishing import PublishJob, publishing_jobs
from generator.model.site import Site
from generator.engine.stored import preload
from generator.output.staging import Staging

from generator.pipeline.state import BuilderState


class PublishPass(BuilderState):
    """Which published files are stale, and how the joined ones are made."""

    def _stale_publishing(self, site: Site, pages: list[str], staging: Staging, keep: set[str]) -> list[PublishJob]:
        """The groups of feeds, sitemap and open data whose key changed; the others are kept as they are."""
        stale = []
        for job in publishing_jobs(site, pages, self.layout_key, self._join(site, staging)):
            previous = [rel for rel, record in staging.records.items() if record.key == job.key]
            if previous and all(staging.fresh(rel, job.key) for rel in previous):
                keep.update(previous)
            else:
                stale.append(job)
        return stale

    def _join(self, site: Site, staging: Staging) -> Join:
        """exports.Join for this build: each event's fragment from the cache (else made now), and the
        unchanged events' parts copied from the file the last build wrote, when its layout is known."""
        keys = [f"{self.data_key}:{event.fingerprint}" for event in site.events]
        self._joined = {}

        def join(rel: str, head: bytes, separator: bytes, tail: bytes, n: int) -> Joined:
            layout, record = self.cache.layout(rel), staging.records.get(rel)
            if layout is None or record is None or (layout.key, layout.size) != (record.key, record.size) or \
                    not staging.untouched(rel):
                layout = None  # the file is not as the last build wrote it: joined afresh
            joined = Joined(
                head, separator, tail, keys, lambda wanted: {k: f[n] for k, f in self._fragments(site, wanted).items()},
                (staging.root + rel, layout) if layout else None)
            self._joined[rel] = joined.layout("")  # not the Joined: its new bytes go once it is written
            return joined
        return join

    def _fragments(self, site: Site, keys: list[str]) -> dict[str, Fragments]:
        """The open data fragments of the events under these keys: made with the events parsed since the
        last build that wrote the open data, else made now (when the last files cannot be patched)."""
        made = self._made_fragments
        missing = [key for key in keys if key not in made]
        if missing:
            events = {f"{self.data_key}:{event.fingerprint}": event for event in site.events}
            preload(events[key] for key in missing)
            made.update((key, event_fragments(site, events[key])) for key in missing)
        return {key: made[key] for key in keys}
