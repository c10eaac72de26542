"""`reunify`: the campaign editors' command.

    reunify check [--strict]      find every problem in the content
    reunify build                 build the site into site/ (replaced only on success)
    reunify serve                 live preview on http://127.0.0.1:8000
    reunify serve --language es   live preview of the Spanish edition
    reunify new story "Title"     start a story (or: resource, organization, drive, event)
    reunify check --stale         list records not verified for over 12 months
    reunify schema                rewrite schemas/*.json from the content models
    reunify feeds refresh         fetch partners' news feeds into partner-news.json
    reunify new-year 2027         archive this June's campaign and start the next
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import editions, workspace
from .mkdocs_plugin import build_date
from .pipeline import check, load_checked, render_edition
from .load import Content, load_stories
from .problems import ContentError, Problems
from .sanitize import remember, rendered
from .search_index import scratch_folder
from .validate import report_stale


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", default=".", help="project folder (default: current folder)")
    parser.add_argument("--today", help="build as if on this date, YYYY-MM-DD")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")


def cmd_check(args) -> int:
    root = Path(args.root).resolve()
    today = build_date(args.today)
    problems, content = check(root, today, strict=args.strict)
    if args.stale:
        report_stale(content, today, problems)
    print(problems.report())
    return 1 if problems.failed(args.strict) else 0


def _mkdocs_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s - %(message)s"))
    logger = logging.getLogger("mkdocs")
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


class EditionError(Exception):
    """An edition built in a child process failed; the message is the child's."""


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _build_edition(checked, config_file: Path, language: str, out: Path, scratch: Path) -> list:
    """Build one edition into `out`; return its search copies, not yet indexed, with the
    folder their index goes to."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(edition_config(config_file, language)), site_dir=str(out),
                         strict=True)
    plugin = config.plugins["reunify"]
    plugin.prepared = render_edition(checked, language, site_url=config.site_url or "")
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


def _end_with(parent: int) -> None:
    """Have the kernel stop this process if its parent ends first, however it ends (killed, or
    stopped by a signal Python does not clean up after): the child would otherwise build on,
    into folders nobody will use. Linux only; elsewhere the parent's clean-up is all there is."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it ended before it could be watched
        os._exit(1)


class _Child:
    """`work()` running in a forked process that shares what this one has loaded
    (copy-on-write), in its own process group so that it can be stopped with every process it
    starts. It reports what `work()` returned, or the exception it raised, through a pipe."""

    inside = False  # whether this process is itself such a child

    def __init__(self, work):
        read, write = os.pipe()
        sys.stdout.flush()  # or the child would print again what is still in the buffers
        sys.stderr.flush()
        # a child of the build leads a process group; the children it starts join it
        leader = not _Child.inside
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            _Child.inside = True
            _end_with(parent)
            self._run(work, write, leader)
        os.close(write)
        if leader:
            try:
                os.setpgid(pid, pid)  # the child does the same: whichever runs first
            except OSError:
                pass  # the child has already done it (or has already ended)
        self.pid, self.pipe, self.ended, self.leader = pid, read, False, leader

    @staticmethod
    def _run(work, write: int, leader: bool) -> None:
        status, report = 1, pickle.dumps({"error": EditionError("stopped")})
        try:
            if leader:
                os.setpgid(0, 0)
            report = pickle.dumps({"result": work()})
            status = 0
        except BaseException as exc:  # reported to the parent, which stops the build
            try:
                report = pickle.dumps({"error": exc})
                pickle.loads(report)  # some exceptions cannot be made again from their pickle
            except Exception:
                report = pickle.dumps({"error": EditionError(str(exc) or type(exc).__name__)})
        finally:
            try:
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(report)
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(status)  # never the parent's clean-up, atexit or test runner

    def join(self):
        """What `work()` returned; its exception is raised here."""
        try:
            with os.fdopen(self.pipe, "rb") as reader:
                data = reader.read()
            _, status = os.waitpid(self.pid, 0)
        except BaseException:
            self.kill()
            raise
        self.ended = True
        report = pickle.loads(data) if data else \
            {"error": EditionError(f"stopped with status {status}")}
        if "error" in report:
            raise report["error"]
        return report["result"]

    def kill(self) -> None:
        if self.ended:
            return
        self.ended = True
        try:
            if self.leader:
                os.killpg(self.pid, signal.SIGKILL)  # the child and every process it started
            else:
                os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        try:
            os.close(self.pipe)
        except OSError:
            pass  # closed by an interrupted join


def _fork(work) -> _Child:
    return _Child(work)


def _finish_first(indexing: list) -> None:
    """Wait for the first Pagefind run; it stays listed (to be stopped) until it has ended."""
    indexing[0].wait()
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
    other editions; return every edition's search copies, not yet indexed. Runs in a child of
    `build_site`, so that the content and the pages are gone before Pagefind runs."""
    # while this process loads the content, the other processor renders the stories' Markdown
    # (both editions need it: 1.7 s each at national size)
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
    others = [language for language in outs if language != editions.DEFAULT]
    child = _fork(lambda: [item for language in others for item in _build_edition(
        checked, config_file, language, outs[language], scratch)])
    try:
        pending = _build_edition(checked, config_file, editions.DEFAULT,
                                 outs[editions.DEFAULT], scratch)
        return pending + child.join()
    finally:
        child.kill()


def build_site(root: Path, site_dir: Path, config_file: Path, today, *, strict: bool = False,
               verbose: bool = False, parallel: bool | None = None) -> None:
    """Build every edition into a temporary folder (English at its root, each other language in
    its own subfolder) and swap it in only if every step of every edition succeeded.

    With more than one processor (or `parallel=True`) and more than one edition, a child
    process loads the content and builds English while its own child builds the other
    editions (the content is loaded and checked once, and shared); when both have ended,
    Pagefind indexes every edition at once, in the memory they have given back. With one
    processor, everything happens in this process, and Pagefind indexes an edition while the
    next one is built."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    _mkdocs_logging(verbose)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    for leftover in site_dir.parent.glob(".site-previous-*"):
        _remove_in_background(leftover)
    # what builds killed outright left (their processes have ended)
    for leftover in workspace.abandoned(site_dir.parent, ".site-build-"):
        _remove_in_background(leftover)
    for folder in {scratch_folder(), tempfile.gettempdir()} - {None}:
        for leftover in workspace.abandoned(folder, "reunify-build-") + (
                workspace.abandoned(folder, "reunify-search-") if folder == scratch_folder()
                else []):  # (only the preview makes search copies at the top of the RAM disk)
            shutil.rmtree(leftover, ignore_errors=True)
    staging = workspace.make(".site-build-", site_dir.parent)
    scratch = workspace.make("reunify-build-", scratch_folder())
    indexing = []  # Pagefind runs
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
            parallel = _cpus() > 1 and hasattr(os, "fork")
        if parallel and len(outs) > 1:
            child = _fork(lambda: _build_side_by_side(root, today, strict, config_file, outs,
                                                      scratch))
            for copies, site in child.join():
                indexing.append(copies.index(site))  # listed as soon as started, to be stopped
        else:
            checked = load_checked(root, today, strict=strict)
            report_warnings(checked.problems)
            for language in outs:
                for copies, site in _build_edition(checked, config_file, language,
                                                   outs[language], scratch):
                    indexing.append(copies.index(site))
                while len(indexing) > 1:  # one Pagefind at a time, beside the next edition
                    _finish_first(indexing)
        while indexing:
            _finish_first(indexing)
        for out, target in moves:
            out.rename(target)
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
        for folder in [staging] + [out for out, _ in moves]:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def cmd_build(args) -> int:
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


def cmd_serve(args) -> int:
    from mkdocs.commands.serve import serve

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    if args.today:
        os.environ["REUNIFY_TODAY"] = args.today
    _mkdocs_logging(True)
    root = Path(args.root).resolve()
    config_file = editions.config_file(root, args.language)
    if not config_file.exists():
        print(f"reunify serve: there is no {config_file.name}; the editions are "
              f"{', '.join(editions.languages(root))}", file=sys.stderr)
        return 1
    # "dirty": after the first build, MkDocs writes only the pages the plugin reports changed
    serve(config_file=str(config_file), livereload=True, dev_addr=args.addr, build_type="dirty")
    return 0


def cmd_new(args) -> int:
    from datetime import date as _date

    from .scaffold import ScaffoldError, add_record, new_story

    root = Path(args.root).resolve()
    today = build_date(args.today) if args.today else _date.today()
    try:
        if args.kind == "story":
            path = new_story(root / "stories", args.title, today)
            print(f"Wrote {path.relative_to(root)}: fill in every field, then run `make check`.")
        else:
            new_id = add_record(root / "resources.yaml", args.kind, args.title, today)
            print(f"Added {args.kind} {new_id!r} to resources.yaml: fill in every field, "
                  "then run `make check`.")
    except ScaffoldError as exc:
        print(f"reunify new: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_schema(args) -> int:
    from .schema import write_schemas

    root = Path(args.root).resolve()
    for path in write_schemas(root / "schemas"):
        print(f"Wrote {path.relative_to(root)}")
    return 0


def cmd_feeds(args) -> int:
    from .feeds import any_address, public_address, refresh
    from .load import NEWS_SNAPSHOT, load_resources, Content
    from .problems import Problems

    root = Path(args.root).resolve()
    problems = Problems(root=root)
    content = Content(root=root)
    load_resources(root / "resources.yaml", content, problems)
    feeds = {org.id: org.feed_url for org in content.organizations if org.feed_url}
    if problems.errors:
        print(problems.report(), file=sys.stderr)
        print("Fix resources.yaml first; no feed was fetched.", file=sys.stderr)
        return 1
    print(f"Fetching {len(feeds)} partner feed(s)…", file=sys.stderr)
    snapshot = refresh(feeds, root / NEWS_SNAPSHOT, allowed=any_address
                       if args.allow_private_addresses else public_address)
    failed = sorted(org for org, state in snapshot["feeds"].items() if state.get("error"))
    print(f"Wrote {NEWS_SNAPSHOT}: {len(feeds) - len(failed)} feed(s) fine, "
          f"{len(failed)} failed" + (f" ({', '.join(failed)})" if failed else ""),
          file=sys.stderr)
    return 0


def _ask(label: str, value, convert):
    """Use the option if given, else ask an editor at a terminal; scripts must pass options."""
    while value is None:
        if not sys.stdin.isatty():
            raise ValueError(f"{label} is missing: give it as an option (see --help)")
        answer = input(f"{label}: ").strip()
        try:
            value = convert(answer) if answer else None
        except ValueError as exc:
            print(f"  {exc}", file=sys.stderr)
    return convert(value) if isinstance(value, str) else value


def cmd_new_year(args) -> int:
    from datetime import date as _date

    from pydantic import ValidationError

    from .index import event_end
    from .models import Campaign
    from .rollover import RolloverError, plan_and_apply

    root = Path(args.root).resolve()
    today = build_date(args.today)
    problems, content = check(root, today)
    if problems.errors or content.campaign is None:
        print(problems.report(), file=sys.stderr)
        print("Fix these first; nothing was changed.", file=sys.stderr)
        return 1
    try:
        theme = _ask(f"Theme for {args.year}", args.theme, str)
        starts = _ask("First day (YYYY-MM-DD)", args.start, _date.fromisoformat)
        ends = _ask("Last day (YYYY-MM-DD)", args.end, _date.fromisoformat)
        new = Campaign.model_validate({**content.campaign.model_dump(), "year": args.year,
                                       "theme": theme, "starts": starts, "ends": ends,
                                       "tagline": args.tagline})
        if new.ends < new.starts:
            raise ValueError(f"the last day ({ends}) is before the first ({starts})")
        archived = content.campaign_of
        ended_events = {e.id for e in content.events if ("events", e.id) not in archived
                        and event_end(e).date() < today}
        ended_drives = {d.id for d in content.drives if ("drives", d.id) not in archived
                        and d.ends < today}
        plan = plan_and_apply(root, args.year, new.theme, new.starts, new.ends, new.tagline,
                              today, ended_events, ended_drives)
    except (ValueError, ValidationError, RolloverError) as exc:
        print(f"reunify new-year: {exc}", file=sys.stderr)
        return 1
    print(f"Archived the {plan.old_year} campaign in {plan.archive_file.relative_to(root)} "
          f"with {len(plan.archived_events)} event(s) and {len(plan.archived_drives)} "
          f"drive(s); it stays online at /{plan.old_year}/.")
    print(f"resources.yaml now holds the {args.year} campaign: {new.theme}. "
          "Run `make check`, then add this year's events and drives.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reunify", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("check", help="validate all content and list every problem")
    _common(p)
    p.add_argument("--stale", action="store_true",
                   help="also list resources and organizations not verified for 12 months")
    p.set_defaults(run=cmd_check)
    p = commands.add_parser("build", help="build the site into site/")
    _common(p)
    p.add_argument("--config", help="MkDocs configuration (default: mkdocs.yml)")
    p.add_argument("--site-dir", help="output folder (default: site)")
    p.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' progress")
    p.set_defaults(run=cmd_build)
    p = commands.add_parser("serve", help="live preview while you edit")
    _common(p)
    p.add_argument("--addr", default="127.0.0.1:8000", help="address to serve on")
    p.add_argument("--language", default=editions.DEFAULT,
                   help="edition to preview, e.g. es (default: en)")
    p.set_defaults(run=cmd_serve)
    p = commands.add_parser("new", help="start a new story, resource, organization, drive or "
                            "event with every field explained")
    p.add_argument("kind", choices=["story", "resource", "organization", "drive", "event"])
    p.add_argument("title", help="the title or name, in quotes")
    p.add_argument("--root", default=".", help="project folder (default: current folder)")
    p.add_argument("--today", help="date to use for new dates, YYYY-MM-DD")
    p.set_defaults(run=cmd_new)
    p = commands.add_parser("schema", help="write the JSON Schemas editors' YAML editors use")
    p.add_argument("--root", default=".", help="project folder (default: current folder)")
    p.set_defaults(run=cmd_schema)
    p = commands.add_parser("feeds", help="partner news feeds")
    p.add_argument("action", choices=["refresh"], help="fetch every partner feed now")
    p.add_argument("--root", default=".", help="project folder (default: current folder)")
    p.add_argument("--allow-private-addresses", action="store_true",
                   help="also fetch feeds on this machine or a private network (for tests "
                        "with local servers only)")
    p.set_defaults(run=cmd_feeds)
    p = commands.add_parser("new-year", help="archive this year's campaign and start the next")
    p.add_argument("year", type=int, help="the new campaign year, e.g. 2027")
    p.add_argument("--theme", help="the new theme (asked for if missing)")
    p.add_argument("--start", help="first day, YYYY-MM-DD (asked for if missing)")
    p.add_argument("--end", help="last day, YYYY-MM-DD (asked for if missing)")
    p.add_argument("--tagline", help="one sentence under the theme (optional)")
    p.add_argument("--root", default=".", help="project folder (default: current folder)")
    p.add_argument("--today", help="treat this date as today, YYYY-MM-DD")
    p.set_defaults(run=cmd_new_year)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
