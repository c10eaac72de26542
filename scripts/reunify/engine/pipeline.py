"""The whole build as one readable sequence: load → validate → index → render, per edition.

Nothing here knows about MkDocs; `mkdocs_plugin.py` hands the result to it, and
`commands/build.py` wraps it in an atomic write of the site folder. Content is loaded and checked once; each edition (English,
then every translation) is indexed and rendered from it in its own language.
"""
from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reunify.content import editions, kept_yaml, load, toolkit_text, validate
from reunify.engine import processes

from reunify.outputs import images
from reunify.site import index
from reunify.site.localize import localize, untranslated_block
from reunify.content.problems import ContentError, Problems
from reunify.site.render import Output, Renderer
from reunify.content.sanitize import keep_rendered, markdown_to_html, save_rendered
from reunify.site.strings import Strings
from reunify.content.yamlsource import read_text

HOME_INTRO = editions.HOME_INTRO


@dataclass
class Prepared:
    site: index.Site
    output: Output
    problems: Problems
    language: str = editions.DEFAULT


@dataclass
class Checked:
    """Content that passed every check, ready to be rendered in any edition."""

    root: Path
    today: date
    content: load.Content
    problems: Problems
    intros: dict[str, str]  # the home page's text in each edition that has one


def build_date(setting: str | None) -> date:
    """The day the site is built for: `--today`, else $REUNIFY_TODAY, else today. (Consent is
    always judged by the real date as well: see validate.consent_problem.)"""
    value = setting or os.environ.get("REUNIFY_TODAY")
    return date.fromisoformat(value) if value else date.today()


def read_intros(root: Path, problems: Problems) -> dict[str, str]:
    """The home page's introduction in every edition that has one (a file that is not UTF-8
    is reported)."""
    found = {}
    for language in editions.languages(root):
        file = editions.home_intro(root, language)
        text = read_text(file, problems) if file.exists() else None
        if text is not None:
            found[language] = text
    return found


def keep_between_runs(root: Path) -> None:
    """Take the stories earlier runs rendered from `.cache/markdown/` beside the content (and
    keep this run's there, `sanitize.save_rendered`), and the large YAML files and the
    stories' front matter they parsed from `.cache/yaml/` (`kept_yaml`)."""
    keep_rendered(images.cache_folder(root, "markdown"))
    kept_yaml.keep_parsed(images.cache_folder(root, "yaml"))


@contextmanager
def paused_collector(pause: bool = True):
    """Python's cyclic garbage collector paused (if `pause`) while making what lives on."""
    enabled = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def long_lived():
    """Build the content, which lives as long as the process, with Python's cyclic garbage
    collector paused, then set it aside (`gc.freeze`) so that no collection walks it again.
    A national hub is over a million objects: collections triggered while they were being
    made took 2.4 s of a 5.2 s load. (Python's documentation recommends the same before a
    fork, which the build then does: the children's collections leave the shared pages
    alone.)"""
    with paused_collector():
        yield
        gc.freeze()


def check(root: Path, today: date, *, strict: bool = False,
          loaded=None) -> tuple[Problems, load.Content]:
    """Stages 1 and 2: read and validate everything, collecting every problem. `loaded()` is
    called between them (a build takes the stories' Markdown, rendered meanwhile in another
    process, which the privacy check reads)."""
    problems = Problems(root=root)
    keep_between_runs(root)
    with long_lived():
        content = load.load(root, problems)
        if loaded is not None:
            loaded()
        validate.check(content, today, problems, strict=strict)
        save_rendered()
        kept_yaml.save_small()
        content.toolkit = toolkit_text.load(root, problems)
        _check_campaign_posts(content, problems)
    return problems, content


# A site's address as long as most (https://reunification.example.org/es/ is 39 characters):
# the campaign's posts are checked with it, before the real address is known.
LINK_ALLOWANCE = "https://" + "x" * 52 + "/"


def _check_campaign_posts(content: load.Content, problems: Problems) -> None:
    """The campaign's sample posts hold no record's text to shorten: words that are too long
    for the platform, once filled in, are the editor's to shorten."""
    from reunify.outputs import posts

    campaign = content.campaign
    if campaign is None:
        return
    for language, words in content.toolkit.items():
        values = toolkit_text.campaign_values(campaign, Strings(language), LINK_ALLOWANCE) | {
            "link": LINK_ALLOWANCE}
        for form in ("short", "long"):
            try:
                posts.within(getattr(words.posts.campaign, form), values, posts.LIMITS[form],
                             strict=True)
            except posts.TooLong as exc:
                file = toolkit_text.file_for(content.root, language)
                problems.add(file, None, None, f"the campaign's {form} post is {exc}",
                             field=f"posts.campaign.{form}",
                             hint=f"shorten it: {', '.join(posts.PLATFORMS[form])} allow "
                                  f"{posts.LIMITS[form]:,} characters (a link is counted as "
                                  f"{len(LINK_ALLOWANCE)})")


def load_checked(root: Path, today: date, *, strict: bool = False, loaded=None) -> Checked:
    """Read and check everything; raise ContentError (with all problems) if anything is wrong."""
    problems, content = check(root, today, strict=strict, loaded=loaded)
    intros = read_intros(root, problems)
    if problems.failed(strict):
        raise ContentError(problems)
    return Checked(root, today, content, problems, intros)


def _home_intro(intros: dict[str, str], language: str) -> str:
    if language in intros:
        return markdown_to_html(intros[language])
    if editions.DEFAULT not in intros:
        return ""
    return str(untranslated_block(markdown_to_html(intros[editions.DEFAULT])))


# The live preview's start renders the resources section, and the feeds and calendars, in a
# second process. At national size that has 2.7 s of work and 0.3-0.5 s to hand its pages
# back, and this process 2.7 s (the other sections and the data files): this process makes
# the first third of the resources' own pages too (0.16 ms each, none of them sharing work
# with the lists).
RESOURCE_PAGES_HERE = 0.35


def render_edition(checked: Checked, language: str = editions.DEFAULT, *,
                   site_url: str = "", subset=None, pictures: bool = True,
                   record_cards=None, two_processes: bool = False) -> Prepared:
    """Stages 3 and 4 for one edition (only the pages a `render.Subset` names, if given).
    `two_processes`: the resources section (10,000 of a national edition's 15,000 pages) is
    rendered in a forked child meanwhile, where this process can fork (`processes.can_fork`):
    the live preview's start, which has one edition to render and two processors."""
    strings = Strings(language)
    content = checked.content
    if language != editions.DEFAULT:
        content = localize(content, language, free=strings("events.free"))
    site = index.build(content, checked.today)
    shared = "../" * editions.prefix(language).count("/")
    renderer = Renderer(site, strings, home_intro=_home_intro(checked.intros, language),
                        words=checked.content.toolkit, pictures=pictures,
                        site_url=site_url, shared=shared,
                        record_cards=record_cards)
    if two_processes and subset is None and processes.can_fork():
        here = int(len(site.resources) * RESOURCE_PAGES_HERE)
        child = processes.fork(lambda: renderer.made_apart(records_from=here))
        try:
            output = renderer.render(resources=child.join, resources_here=here)
        finally:
            child.kill()
    else:
        output = renderer.render(subset)
    return Prepared(site=site, output=output, problems=checked.problems, language=language)


def prepare(root: Path, today: date, *, strict: bool = False, site_url: str = "",
            language: str = editions.DEFAULT, record_cards=None) -> Prepared:
    """Every stage for one edition; raise ContentError (with all problems) if anything is wrong."""
    return render_edition(load_checked(root, today, strict=strict), language,
                          site_url=site_url, record_cards=record_cards)
