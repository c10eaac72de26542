"""`reunify build`: every edition into a temporary folder, swapped in for site/ only when
all of it succeeded."""
from __future__ import annotations

import gc
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from reunify.content import editions
from reunify.content.load import Content, load_stories
from reunify.content.problems import ContentError, Problems
from reunify.content.sanitize import remember, rendered
from reunify import engine
from reunify.engine import workspace
from reunify.engine.processes import fork as _fork, worth_forking
from reunify.engine.pipeline import build_date, keep_between_runs, load_checked, render_edition
from reunify.outputs import hosting
from reunify.outputs.images import cache_folder
from reunify.outputs.search_index import RAM_DISK, forget_unused, scratch_folder
from reunify.site.render import cards_note


def mkdocs_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s - %(message)s"))
    logger = engine.logger()
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO if verbose else logging.WARNING)


def report_warnings(problems) -> None:
    warnings, note = problems.to_show()
    for problem in warnings:
        print(problem.format(), file=sys.stderr)
    if note:
        print(f"note: {note}", file=sys.stderr)


def edition_config(config_file: Path, language: str) -> Path:
    """The configuration of an edition, beside the English one."""
    return config_file if language == editions.DEFAULT else \
        config_file.with_name(f"mkdocs.{language}.yml")


def _remove_in_background(folder: Path) -> None:
    """Delete the site a build replaced without waiting for it: a national site is 30,000 files,
    and deleting them took longer than building some editions. The new site is already in
    place; a folder left by an interrupted deletion is removed by the next build."""
    if folder.exists():
        # at the lowest priority: the processors are the next build's, if one follows
        subprocess.Popen([sys.executable, "-c", "import os, shutil, sys; os.nice(19); "
                          "shutil.rmtree(sys.argv[1], ignore_errors=True)", str(folder)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)


def _return_freed_memory() -> None:
    """Hand memory the build freed back to the system (glibc keeps freed blocks for reuse;
    Pagefind and the next edition need them more). Elsewhere than glibc, nothing."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _size(text: str) -> int | None:
    """Bytes in '1.5G', '800M', '2048K' or a plain number; None if it is none of these."""
    text = text.strip().upper().removesuffix("B")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}.get(text[-1:], 1)
    try:
        return int(float(text.rstrip("KMGT")) * scale)
    except ValueError:
        return None


def _cgroup_room() -> int | None:
    """What this process's control group (a container's, a CI job's) lets it take still, if it
    has a limit: control groups v2, then v1."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":
            files = (Path("/sys/fs/cgroup") / path.lstrip("/"), "memory.max", "memory.current")
        elif "memory" in controllers.split(","):
            files = (Path("/sys/fs/cgroup/memory") / path.lstrip("/"), "memory.limit_in_bytes",
                     "memory.usage_in_bytes")
        else:
            continue
        try:
            limit = (files[0] / files[1]).read_text().strip()
            used = int((files[0] / files[2]).read_text())
        except (OSError, ValueError):
            continue
        if limit.isdigit() and int(limit) < 1 << 60:  # v1 writes "no limit" as a huge number
            return max(0, int(limit) - used)
    return None


def memory_available(holding: int = 0) -> int | None:
    """Bytes the build can still take: the system's available memory, or less where a control
    group limits it, or $REUNIFY_MEMORY (e.g. `2G`) less the `holding` bytes the caller holds
    already, if that is less. None if unknown."""
    found = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    room = _cgroup_room()
    if room is not None:
        found.append(room)
    setting = os.environ.get("REUNIFY_MEMORY", "").strip()
    if setting:
        size = _size(setting)
        if size is None or size <= 0:
            raise ValueError(f"REUNIFY_MEMORY: expected a size such as 2G or 1500M, found "
                             f"{setting!r}; set it to the memory the build may use, or unset it")
        found.append(max(0, size - holding))
    return min(found) if found else None


# What rendering an edition adds to the loaded content until MkDocs has written its pages,
# measured at national size (13,700 records, 15,700 pages an edition, beside the 0.45 GB the
# content and its check take): English 0.32 GB, Spanish 0.41 GB (its records are translated
# copies), about 30 KB a record.
EDITION_MEMORY_PER_RECORD = 30 * 1024


def edition_memory(content) -> int:
    """What rendering one edition of `content` will take, on top of the content itself."""
    records = sum(len(getattr(content, kind)) for kind in
                  ("stories", "resources", "organizations", "drives", "events"))
    return records * EDITION_MEMORY_PER_RECORD


def _own_memory() -> int:
    """This process's resident memory, in bytes (0 where the system does not say)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _make_room(indexing: list, needed: int, holding=lambda: 0) -> None:
    """Wait for the Pagefind runs in `indexing`, first started first, until the memory
    available (less what this process holds, `holding()`) has room for them and `needed`."""
    room = memory_available(holding=holding())
    while indexing and room is not None and \
            sum(run.memory for run in indexing) + needed > room:
        _finish_first(indexing)
        room = memory_available(holding=holding())


def _start_indexing(indexing: list, copies, site: Path, cache: Path) -> None:
    """Start Pagefind on an edition's search copies; first wait for those already running
    until there is memory for this one too (each takes about 75 KB a page: 1.0 GB for a
    national edition, and two at once were a national build's peak)."""
    _make_room(indexing, copies.memory_needed())
    indexing.append(copies.index(site, cache))  # listed as soon as started, to be stopped


def _build_edition(checked, config_file: Path, language: str, out: Path, scratch: Path) -> list:
    """Build one edition into `out`; return its search copies, not yet indexed, with the
    folder their index goes to."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(edition_config(config_file, language)), site_dir=str(out),
                         strict=True)
    plugin = config.plugins["reunify"]
    plugin.prepared = render_edition(checked, language, site_url=config.site_url or "",
                                     record_cards=plugin.config.record_cards)
    note = cards_note(plugin.config.record_cards, checked.content)
    if note and language == editions.DEFAULT:
        print(f"note: {note}", file=sys.stderr)
    pending = []
    plugin.indexing, plugin.scratch = pending, scratch
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    # this edition's pages and MkDocs' picture of them (full of cycles) go before the next
    # edition is rendered: a national edition holds a quarter of a gigabyte
    del config, plugin
    gc.collect()
    _return_freed_memory()
    return pending


def _finish_first(indexing: list, finished: list | None = None) -> None:
    """Wait for the first Pagefind run; it stays listed (to be stopped) until it has ended.
    With `finished`, its files are compressed again in the background and it is added there
    (each one's `compressed()` is to be waited for)."""
    indexing[0].wait(compress_in_background=finished is not None)
    if finished is not None:
        finished.append(indexing[0])
    indexing.pop(0)


def _story_texts(root: Path) -> list[str]:
    """The Markdown of every story and story translation, as a build renders it."""
    content = Content(root=root)
    load_stories(root, content, Problems(root=root))
    return [story.body for story in content.stories] + [
        own.body for story in content.stories for own in story.translations.values()]


def _build_side_by_side(root: Path, today, strict: bool, config_file: Path, outs: dict,
                        scratch: Path) -> list:
    """Load and check the content, then build English here while a child process builds the
    other editions (or all of them here, one after the other, where the memory available
    does not hold every edition's pages at once); return every edition's search copies, not
    yet indexed. Runs in a child of
    `build_site`, so that the content and the pages are gone before Pagefind runs."""
    # while this process loads the content, the other processor renders the stories' Markdown
    # (both editions need it: 1.7 s each at national size) that earlier runs have not
    keep_between_runs(root)
    stories = _fork(lambda: rendered(_story_texts(root)))

    def take_rendered():  # before the privacy check, which reads the stories as rendered
        try:
            remember(stories.join())
        except Exception:
            pass  # the check and editions render them themselves (the load reports problems)

    try:
        checked = load_checked(root, today, strict=strict, loaded=take_rendered)
    except BaseException:
        stories.kill()
        raise
    report_warnings(checked.problems)
    holding = _own_memory()
    room = memory_available(holding=holding)
    # Side by side, every edition's pages at once, and the other editions' processes come to
    # copy much of the content they share with this one (Python writes reference counts into
    # the objects it reads): at national size 1.3-1.4 GB in all, one after the other 0.9 GB.
    def build(languages) -> list:
        return [item for language in languages for item in _build_edition(
            checked, config_file, language, outs[language], scratch)]

    if room is not None and \
            room < len(outs) * edition_memory(checked.content) + (len(outs) - 1) * holding:
        return build(outs)
    child = _fork(lambda: build([language for language in outs
                                 if language != editions.DEFAULT]))
    try:
        return build([editions.DEFAULT]) + child.join()
    finally:
        child.kill()


def build_site(root: Path, site_dir: Path, config_file: Path, today, *, strict: bool = False,
               verbose: bool = False, parallel: bool | None = None) -> None:
    """Build every edition into a temporary folder (English at its root, each other language in
    its own subfolder) and swap it in only if every step of every edition succeeded.

    With more than one processor (or `parallel=True`) and more than one edition, a child
    process loads the content and builds English while its own child builds the other
    editions (the content is loaded and checked once, and shared); when both have ended,
    Pagefind indexes every edition at once, in the memory they have given back, or one
    after the other where the memory available (`memory_available`) does not hold both.
    Where it does not hold every edition's pages at once (`edition_memory`), the child builds
    the editions one after the other. With one processor, everything happens in this process,
    and Pagefind indexes an edition while the next one is built, if there is memory for both."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    mkdocs_logging(verbose)
    memory_available()  # a wrong REUNIFY_MEMORY is said before any work, not after it
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    for leftover in site_dir.parent.glob(".site-previous-*"):
        _remove_in_background(leftover)
    # what builds killed outright left (their processes have ended)
    for leftover in workspace.abandoned(site_dir.parent, ".site-build-"):
        _remove_in_background(leftover)
    workspace.remove_abandoned([RAM_DISK, tempfile.gettempdir()])
    staging = workspace.make(".site-build-", site_dir.parent)
    started = staging.stat().st_mtime  # (by the clock the files' times are set by)
    scratch = workspace.make("reunify-build-", scratch_folder())
    search_cache = cache_folder(root, "search")
    indexing = []  # Pagefind runs
    finished = []  # Pagefind runs ended, whose files are being compressed again
    moves = []  # (folder an edition was built in, where it goes in the staging folder)
    child = None
    try:
        outs = {}
        for language in editions.languages(config_file.parent):
            # each edition in its own folder, so that the index of one never sees the other
            outs[language] = staging if language == editions.DEFAULT else \
                workspace.make(".site-build-", site_dir.parent)
            if outs[language] != staging:
                moves.append((outs[language], staging / editions.prefix(language)))
        if parallel is None:
            parallel = worth_forking()
        if parallel and len(outs) > 1:
            child = _fork(lambda: _build_side_by_side(root, today, strict, config_file, outs,
                                                      scratch))
            for copies, site in child.join():
                _start_indexing(indexing, copies, site, search_cache)
        else:
            checked = load_checked(root, today, strict=strict)
            report_warnings(checked.problems)
            for language in outs:
                # the previous edition's Pagefind runs beside this edition's build only if
                # there is memory for both
                _make_room(indexing, edition_memory(checked.content), _own_memory)
                for copies, site in _build_edition(checked, config_file, language,
                                                   outs[language], scratch):
                    indexing.append(copies.index(site, search_cache))
                while len(indexing) > 1:  # one Pagefind at a time, beside the next edition
                    _finish_first(indexing)
        # the last runs, side by side with memory to spare, end together: each one's files
        # are compressed while the next is waited for and compressed
        while indexing:
            _finish_first(indexing, finished)
        for run in finished:
            run.compressed()
        forget_unused(search_cache, since=started)
        for out, target in moves:
            out.rename(target)
        hosting.finish(staging, [editions.prefix(language) for language in outs])
        previous = site_dir.with_name(f".site-previous-{os.getpid()}-{time.time_ns()}")
        if site_dir.exists():
            site_dir.rename(previous)
        staging.rename(site_dir)
        _remove_in_background(previous)
    except BaseException:
        if child is not None:
            child.kill()
        for process in indexing:
            process.kill()
        for run in finished:  # before their folders go
            try:
                run.compressed()
            except Exception:  # noqa: BLE001 (the build has failed already)
                pass
        for folder in [staging] + [out for out, _ in moves]:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(args) -> int:
    root = Path(args.root).resolve()
    config_file = Path(args.config) if args.config else root / "mkdocs.yml"
    site_dir = Path(args.site_dir) if args.site_dir else root / "site"
    try:
        build_site(root, site_dir.resolve(), config_file.resolve(), build_date(args.today),
                   strict=args.strict, verbose=args.verbose)
    except ContentError as exc:
        print(exc.problems.report(), file=sys.stderr)
        print("The site was not built; the previous site/ is unchanged.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopped: the site was not built; the previous site/ is unchanged.",
              file=sys.stderr)
        return 130  # what a shell reports for Ctrl-C
    except Exception as exc:  # MkDocs aborts (strict warnings, theme errors) end up here
        if args.verbose:
            traceback.print_exc()
        print(f"build failed: {exc}", file=sys.stderr)
        print("The site was not built; the previous site/ is unchanged.", file=sys.stderr)
        return 1
    print(f"Built {site_dir}")
    return 0
