"""The search pass: after the pages are staged and before the commit, Pagefind indexes the pages search covers
(as this build leaves them: staged, else as they are in output/) and its bundle is staged with them, so that a
failure leaves output/ as it was. Skipped when none of those pages changed: the bundle's files are recorded
under a key made of the indexed pages' own keys (publish/search.py's index_key), and kept while it holds."""

from __future__ import annotations

import os
import shutil

from generator.model.errors import Problem, SiteError
from generator.output.staging import Staging, remove_leftovers
from generator.publish.search import BUNDLE, SEARCHED, SearchError, build_index, index_key, indexed
from generator.model.site import Site
from generator.render.plan import PageJob

from generator.pipeline.options import BuildResult
from generator.pipeline.state import BuilderState


class SearchPass(BuilderState):
    """Indexes the site for search, or keeps the index the last build made."""

    def _search(self, site: Site, jobs: list[PageJob], staging: Staging, keep: set[str], result: BuildResult,
                deferred: bool) -> None:
        """deferred: a quick build, or the preview's (whose server indexes after it): the index is left as it
        is; search_due says what the next indexing is to cover."""
        self.search_due = None
        if not site.config.search:
            result.search = "off"
            return
        pages = [job for job in jobs if indexed(job)]
        key = index_key(pages)
        previous = [rel for rel, record in staging.records.items() if record.key.startswith(SEARCHED)]
        if deferred or self.search_later:
            keep.update(previous)
            self.search_due = (key, [(job.rel, job.key) for job in pages])
            result.search = "deferred"
            return
        if previous and all(staging.fresh(rel, key) for rel in previous):
            keep.update(previous)
            result.search = "unchanged"
            return
        if staging.dry:  # check: nothing is written, so nothing is indexed
            result.search = "not checked"
            return
        output = staging.output
        sources = [(job.rel, f"{staging.folder}{os.sep}{job.rel}" if job.rel in staging.staged else
                    f"{output}{os.sep}{job.rel}") for job in pages]
        prefix = f".{output.name}.search-"
        remove_leftovers(output.parent, prefix)
        view = output.parent / f"{prefix}{os.getpid()}"
        try:
            files = build_index(view, sources, self.search_started)
        except SearchError as error:
            raise SiteError([Problem(f"{BUNDLE}/", None, f"search index: {error}")]) from None
        finally:
            shutil.rmtree(view, ignore_errors=True)
        for rel, content in files.items():
            staging.put(rel, key, content)
            keep.add(rel)
        result.search = "indexed"
        self.lap("search index")
