"""The live preview's memory: what the last build read and rendered, so that the next one, after
an editor saves a story, re-reads the stories only and re-renders only the pages that show them.

A national hub's resources.yaml takes seconds to read and its 15,000 pages a minute to render;
a story appears on a handful of pages (its own, the story lists, the home page, its partner's
page, the campaign years). `Preview.update()` returns the full set of pages and files, and which
of them changed since the previous build, for the MkDocs adapter to rebuild just those. Any
other change (resources.yaml, an archive, the news snapshot, the home text) rebuilds everything.
Plain Python: nothing here knows about MkDocs.
"""
from __future__ import annotations

import dataclasses
import gc
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reunify.content import editions, kept_yaml, load, toolkit_text, validate
from reunify.engine.output import Asset, Page
from reunify.engine.pipeline import (Checked, keep_between_runs, long_lived,
                                     paused_collector, read_intros, render_edition)
from reunify.content.problems import ContentError, Problems
from reunify.content.sanitize import save_rendered
from reunify.site.render import Subset


def _fingerprint(files: list[Path]) -> tuple:
    found = []
    for file in files:
        try:
            stat = file.stat()
            found.append((str(file), stat.st_mtime_ns, stat.st_size))
        except FileNotFoundError:
            found.append((str(file), None, None))
    return tuple(found)


@dataclass
class Update:
    """The pages and files of a preview build, and what changed since the previous one."""

    pages: list[Page]
    assets: list[Asset]
    changed: set[str]  # addresses (page src_uri, asset path) to write again
    removed: set[str]  # output paths to delete (page index.html, asset path)
    problems: Problems
    full: bool


@dataclass
class Preview:
    root: Path
    language: str = editions.DEFAULT
    record_cards: str | list | None = None  # as `record_cards` in mkdocs.yml (None: "auto")
    _records_key: tuple | None = None
    _records: load.Content | None = None
    _record_problems: list = field(default_factory=list)
    _stories: dict[str, load.StoryFile] = field(default_factory=dict)
    _pages: dict[str, Page] = field(default_factory=dict)  # by src_uri
    _assets: dict[str, Asset] = field(default_factory=dict)  # by path

    def _records_files(self) -> list[Path]:
        return load.record_files(self.root) + [editions.home_intro(self.root, self.language),
                                               editions.home_intro(self.root, editions.DEFAULT)] \
            + [toolkit_text.file_for(self.root, code) for code in editions.languages(self.root)]

    def update(self, today: date, *, site_url: str = "") -> Update:
        """Read what changed, check everything, render what is needed; raise ContentError."""
        first = self._records is None
        problems = Problems(root=self.root)
        keep_between_runs(self.root)
        # a new day can end a drive or a family's consent: everything is looked at again
        key = (_fingerprint(self._records_files()), today)
        full = key != self._records_key
        if full:
            # Hundreds of thousands of long-lived records: the garbage collector need not
            # walk them again on every save (it cost seconds per rebuild at national size).
            with long_lived():
                records = load.load_records(self.root, problems)
            record_problems = list(problems.items)
        else:
            records, record_problems = self._records, self._record_problems
            problems.items.extend(record_problems)
        content = dataclasses.replace(records, stories=[], located=dict(records.located),
                                      rejected=set(records.rejected))
        load.load_stories(self.root, content, problems)
        intros = read_intros(self.root, problems)
        # the list of untranslated text is long at national size; said once, at the start
        validate.check(content, today, problems, translations=first)
        content.toolkit = toolkit_text.load(self.root, problems)
        if full:
            save_rendered()
        if first:  # (a later run reads only the stories that changed)
            kept_yaml.save_small()
        if problems.failed(False):
            raise ContentError(problems)
        self._records_key, self._records, self._record_problems = key, records, record_problems

        stories = {story.id: story for story in content.stories}
        subset = None
        if not full:
            changed = {i for i in stories.keys() | self._stories.keys()
                       if stories.get(i) != self._stories.get(i)}
            before_after = [(self._stories.get(i), stories.get(i)) for i in changed]
            partners = {s.meta.organization for pair in before_after for s in pair
                        if s is not None}
            # a story edited where it was: only its state's pages show it; one that came,
            # went or moved changes the counts on every state page's map
            states = None if any(old is None or new is None or old.meta.state != new.meta.state
                                 for old, new in before_after) else \
                {new.meta.state for _, new in before_after}
            subset = Subset(stories=changed, organizations=partners, states=states)
        self._stories = stories
        checked = Checked(self.root, today, content, problems, intros)
        # The pages are kept until the next full render (below): the collector, which would
        # walk them again and again as they are made (0.3 s of a national start), waits
        with paused_collector(full):
            prepared = render_edition(checked, self.language, site_url=site_url, subset=subset,
                                      pictures=False, record_cards=self.record_cards,
                                      two_processes=True)
        update = self._merge(prepared.output.pages, prepared.output.assets, subset, problems)
        if full:
            # The pages are kept until the next full render, like the records: what is left
            # of the render is collected now, and the rest set aside, so that the collections
            # a save triggers do not walk 15,000 pages again (they made saves vary by 0.3 s)
            gc.collect()
            gc.freeze()
        return update

    def _merge(self, pages: list[Page], assets: list[Asset], subset: Subset | None,
               problems: Problems) -> Update:
        changed, removed = set(), set()
        new_pages = {page.src_uri: page for page in pages}
        if subset is None:
            gone = set(self._pages) - set(new_pages)
        else:  # the subset render redid the story lists in full, and the changed stories
            gone = {uri for uri in self._pages if uri not in new_pages and (uri.startswith(
                "stories/") and (uri.count("/") != 2 or uri.split("/")[1] in subset.stories)
                or uri.startswith("organizations/states/") and (
                    subset.states is None or uri.split("/")[2].upper() in subset.states))}
        for uri in gone:
            removed.add(self._pages.pop(uri).path)
        for uri, page in new_pages.items():
            if self._pages.get(uri) != page:
                changed.add(uri)
                self._pages[uri] = page
        new_assets = {asset.path: asset for asset in assets}
        if subset is None:
            for path in set(self._assets) - set(new_assets):
                removed.add(path)
                del self._assets[path]
        for path, asset in new_assets.items():
            if self._assets.get(path) != asset:
                changed.add(path)
                self._assets[path] = asset
        return Update(list(self._pages.values()), list(self._assets.values()), changed, removed,
                      problems, subset is None)
