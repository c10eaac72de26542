"""The one place that knows about MkDocs: hands our finished pages to it.

Why a plugin rather than a pre-build step writing Markdown files: `File.generated` (mkdocs 1.6)
adds our pages in memory, so nothing is written into the docs folder and nothing can go stale;
MkDocs and Material then add the theme, search index and sitemap around them. Why not Material's
blog plugin for stories: it reads posts from disk and renders their raw Markdown itself, which would
bypass our consent gate and sanitiser, and it costs 15.9 s for 1,000 posts on these machines.

Pages are rendered to HTML by `render.py` before MkDocs sees them. MkDocs is given only their
metadata (title, description, template, hidden sidebars, set in `on_page_markdown`), no Markdown
converter is set up for them, and `on_page_content` swaps in our HTML, so content never goes
through Markdown twice.

Groups of generated pages that differ only in their own text are rendered through the theme
once and filled in (`shells.py`, `_fill`): each grouped page is given the template `FILLED`,
which asks the plugin for the page; the plugin renders the group's first page through the
theme as a probe and compares its second with the theme's own rendering before filling any.

Live preview (`reunify serve`, MkDocs' dirty rebuilds): `preview.Preview` remembers the last
build and says which generated pages changed; only those are marked modified, so MkDocs writes
only them. Search is indexed once, in the background, when the preview starts.

Editions: the language of a build is its `theme.language`. `mkdocs.es.yml` inherits `mkdocs.yml`
and builds the Spanish edition into site/es/; `extra.alternate` lists the editions, and every page
links to its twin in each of them (`rf_alternates`, used by the theme overrides and the sitemap).
A hand-written page not yet translated is built from the English file, marked as English.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import jinja2
from markupsafe import escape
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page as EnginePage
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_build_date, write_file

from reunify import engine
from reunify.content import editions, toolkit_text

from reunify.outputs import hosting, images
from reunify.site.localize import untranslated_block
from reunify.engine import processes
from reunify.engine.pipeline import Prepared, build_date, prepare
from reunify.engine.preview import Preview
from reunify.content.problems import ContentError, Problems
from reunify.content.sanitize import clean_page_html
from reunify.outputs.search_index import SearchCopies, SearchIndexError
from reunify.engine.shells import SLOTS, Shell, token
from reunify.site.render import AUTO_CARDS, COMPILED, RECORD_KINDS, cards_note
from reunify.site.strings import Strings

log = engine.logger("plugins.reunify")


class RecordCards(c.BaseConfigOption):
    """`record_cards`: "auto", or a list of kinds of record."""

    def __init__(self):
        super().__init__()
        self.default = AUTO_CARDS

    def run_validation(self, value):
        if value == AUTO_CARDS:
            return value
        kinds = ", ".join(RECORD_KINDS)
        if not isinstance(value, list):
            raise c.ValidationError(
                f"expected `auto` or a list of kinds of record ({kinds}); found {value!r} "
                f"(hint: write `record_cards: auto`, or e.g. `record_cards: [stories, drives, "
                f"events]`)")
        wrong = [item for item in value if item not in RECORD_KINDS]
        if wrong:
            raise c.ValidationError(
                f"expected kinds of record ({kinds}); found {', '.join(map(repr, wrong))} "
                f"(hint: spell each as listed, or write `record_cards: auto`)")
        return value


class ReunifyConfig(Config):
    root = c.Type(str, default=".")
    """Folder holding resources.yaml and stories/, relative to mkdocs.yml."""
    today = c.Optional(c.Type(str))
    """Build as if on this date (YYYY-MM-DD); default: the real date or $REUNIFY_TODAY."""
    record_cards = RecordCards()
    """The kinds of record whose pages get a share card of their own; the others' pages share
    their section's card. "auto" (the default): stories, drives and events, and resources and
    organizations while there are at most 1,000 of each (`render.card_kinds`): a national
    hub's 24,000 would be half a gigabyte (README, "How big a site can be")."""
    page_shells = c.Type(bool, default=True)
    """Render pages that differ only in their own text through the theme once per group
    (`shells.py`); false renders every page through the theme (same output, slower)."""


def page_meta(page) -> dict:
    """What MkDocs and Material read from a page's front matter, for a generated page. It is
    set on the page directly (`on_page_markdown`): writing it as YAML for MkDocs to parse again
    cost a fifth of a build."""
    meta = {"title": page.title, "hide": list(page.hide), "card": page.card}
    if page.description:
        meta["description"] = page.description
    if page.template:
        meta["template"] = page.template
    if not page.searchable:
        meta["search"] = {"exclude": True}
    if page.jsonld:
        # Escaped so that no value can close the <script> element it is written into.
        meta["jsonld"] = json.dumps(page.jsonld, ensure_ascii=False, separators=(",", ":")) \
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return meta


# Material's files that no page fetches while search is Pagefind (`_leave_out_unused`)
UNUSED_THEME_FILES = re.compile(r"^assets/javascripts/(lunr|workers)/|\.min\.(js|css)\.map$")


def _nav_pages(nav) -> set[str]:
    """The pages named in the `nav` setting (a list of pages, sections and links)."""
    found: set[str] = set()
    for item in nav or []:
        values = item.values() if isinstance(item, dict) else [item]
        for value in values:
            if isinstance(value, str):
                found.add(value)
            else:
                found |= _nav_pages(value)
    return found


def _editors_own(file: File, config) -> bool:
    """Whether a file comes from the hand-written pages or the theme overrides, rather than
    from Material itself."""
    if not file.abs_src_path:
        return False
    parents = Path(file.abs_src_path).resolve().parents
    return any(Path(folder).resolve() in parents
               for folder in (config.docs_dir, config.theme.custom_dir) if folder)


def _not_the_dirty_warning(record: logging.LogRecord) -> bool:
    return "'dirty' build" not in record.getMessage()


_BODY = re.compile(r"<body[^>]*>")


def problems_banner(errors, t: Strings) -> str:
    """What the preview shows at the top of every page while the content has problems."""
    items = "".join(f"<li><code>{escape(p.format())}</code></li>" for p in errors[:50])
    more = f"<li>{escape(t('preview.more', count=len(errors) - 50))}</li>" \
        if len(errors) > 50 else ""
    return (f'<div class="rf-preview-problems" role="alert"><p><strong>'
            f'{escape(t("preview.problems", count=len(errors)))}</strong></p>'
            f"<ul>{items}{more}</ul></div>")


def _link_file(file: File, dirty: bool = False) -> None:
    """A generated file kept in a cache (photos, share cards, toolkit documents) is published
    as a hard link to it where the site folder is on the same disk: a national hub's 25,000
    share cards are half a gigabyte that would otherwise be copied at every build. (Files
    are replaced, never changed in place, so the cache cannot be altered through the site.)"""
    if dirty and not file.is_modified():
        return
    target = file.abs_dest_path
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        if os.path.lexists(target):
            os.remove(target)
        os.link(file.abs_src_path, target)
    except OSError:  # another disk, or a file system without hard links
        shutil.copyfile(file.abs_src_path, target)


def _mark(file: File, modified: bool) -> None:
    """Whether a `mkdocs serve --dirty` rebuild writes this generated file again."""
    file.is_modified = lambda: modified


def _already_rendered(page, config, files) -> None:
    page.content, page.toc, page.present_anchor_ids = "", get_toc([]), set()


# The template a grouped page is given: it asks the plugin for the page (`ReunifyPlugin._fill`).
FILLED = "reunify-filled-page.html"
FILL_IN_TWO_FROM = 2_000  # below this, a second process would save under a tenth of a second


def _group_key(page) -> tuple | None:
    """Generated pages with the same key differ only in their slots (`shells.SLOTS`): same folder
    (so the same links to the theme's files), template, hidden parts and search setting."""
    parent, _, slug = page.url.rstrip("/").rpartition("/")
    if not slug:  # the home page
        return None
    return (parent, page.template or "main.html", tuple(page.hide), page.searchable,
            bool(page.description), bool(page.jsonld), "<h1" in page.html, page.card)


class _Probe:
    """A page as the theme sees it, with its own texts replaced by tokens; anything else is the
    page's own, with its address replaced wherever it appears (canonical, edit links)."""

    def __init__(self, page, tokens: dict[str, str]):
        self._page = page
        self.url = page.url.rstrip("/").rpartition("/")[0] + "/" + tokens["slug"] + "/"
        self.meta = dict(page.meta)
        for slot in ("title", "description", "jsonld"):
            if slot in tokens:
                self.meta[slot] = tokens[slot]
        if page.title == page.meta.get("title"):
            self.title = tokens["title"]
        self.content = tokens["content"]

    def __getattr__(self, name):
        value = getattr(self._page, name)
        if isinstance(value, str) and self._page.url and self._page.url in value:
            return value.replace(self._page.url, self.url)
        return value


@dataclass
class _Group:
    shell: Shell | None = None
    checked: bool = False  # the second page was compared with the filled shell
    good: bool = False  # ... and they were identical
    filled: int = 0  # pages made from the shell


def _texts(url: str, meta: dict, content: str) -> dict[str, str]:
    """A page's slots (`shells.SLOTS`): `meta` as the theme reads it (`_for_theme`)."""
    return {"slug": url.rstrip("/").rpartition("/")[2], "title": meta.get("title"),
            "description": meta.get("description"), "jsonld": meta.get("jsonld"),
            "content": content}


def _for_theme(meta: dict) -> dict:
    """Material writes page.meta.title and description into <title>, the header and
    <meta content="…"> without escaping (MkDocs templates do not autoescape); a record's title is
    content, so it is escaped here, where it is handed over."""
    meta = dict(meta)
    for key in ("title", "description"):
        if isinstance(meta.get(key), str):
            meta[key] = str(escape(meta[key]))
    return meta


# What a plugin can change of a page while MkDocs builds it. Pages are written outside MkDocs'
# loop only while this plugin is the only one listening (`_Later`).
PAGE_EVENTS = ("pre_page", "page_read_source", "page_markdown", "page_content", "page_context",
               "post_page")


class _Later(File):
    """A grouped page after its group's first two: listed among MkDocs' files (so that links to
    it from hand-written pages resolve and are checked) but not built by MkDocs. Once MkDocs has
    built the group's first two, and so checked its shell (`_fill`), the plugin writes it:
    filled in from the shell, or through the theme as MkDocs would (`_write_later`). MkDocs'
    page loop (a page object, its context, the navigation's and the template's work) took more
    time for these pages than filling them; they are most of a national hub's pages."""

    as_page = False  # whether MkDocs treats it as a page (only while the plugin builds it)
    modified = True  # whether this build writes it (a dirty build: only if it changed)
    key: tuple = ()  # its group (`_group_key`)

    def is_documentation_page(self) -> bool:
        return self.as_page

    def copy_file(self, dirty: bool = False) -> None:
        pass  # written by the plugin, after the pages MkDocs builds


def _later(config, page, key: tuple, modified: bool) -> _Later:
    file = _Later.generated(config, page.src_uri, content="")
    file.as_page = True
    _ = file.dest_uri, file.url, file.abs_dest_path  # addressed as the page it is
    file.as_page = False
    file.key, file.modified = key, modified
    return file


# A relative address that urljoin would only append: segments of letters, digits, "-", "_",
# "~" and "%", with dotted endings ("index.html"), each but the last ending in "/"
_PLAIN_PATH = re.compile(r"(?:[\w\-~%]+(?:\.[\w\-~%]+)*/)*(?:[\w\-~%]+(?:\.[\w\-~%]+)*)?")


class _Listed:
    """What the sitemap reads of a page written outside MkDocs' loop, as MkDocs' Page sets it.
    Made for each of them (15,000 an edition at national size) with what they share worked out
    once (`listing`)."""

    is_link = False

    def __init__(self, file: File, base: str | None, base_path: str, update_date: str):
        self.file, self.page, self.url = file, self, file.url
        self.update_date = update_date
        self.canonical_url = self.abs_url = None
        if base:  # (as `Page._set_canonical_url`)
            url = file.url
            if _PLAIN_PATH.fullmatch(url):  # what urljoin makes of it, without its work
                self.canonical_url, self.abs_url = base + url, base_path + url
            else:
                self.canonical_url = urljoin(base, url)
                self.abs_url = urlsplit(self.canonical_url).path

    @staticmethod
    def listing(site_url: str | None):
        """A function making the `_Listed` of a file, for a site at `site_url`."""
        base = (site_url if site_url.endswith("/") else site_url + "/") if site_url else None
        base_path = urlsplit(base).path if base else ""
        update_date = get_build_date()
        return lambda file: _Listed(file, base, base_path, update_date)


class ReunifyPlugin(BasePlugin[ReunifyConfig]):
    def __init__(self):
        super().__init__()
        self.prepared: Prepared | None = None  # set by `reunify build` to avoid a second load
        # set by `reunify build`: the list to hand each finished edition's search copies to
        # (it starts Pagefind when memory allows), and the folder to write them in
        self.indexing: list | None = None
        self.scratch: Path | None = None
        self.html: dict[str, str] = {}
        self.meta: dict[str, dict] = {}
        self._metas: dict[int, tuple] = {}
        self.untranslated: set[str] = set()  # hand-written pages shown in English
        self.language = editions.DEFAULT
        self.editions: list[dict] = []
        self.serving = False  # `reunify serve`: the live preview (see on_startup)
        self.preview: Preview | None = None
        # the preview's last good content (pages, assets), shown while the content has problems,
        # and the banner that lists them on every page until they are fixed
        self.last_good: tuple[list, list] | None = None
        self.banner: str | None = None
        self.search_process = None  # the preview's search indexing (an Indexing) until done
        self.preview_indexed = False  # the preview has indexed (once, when it started)
        self.copies: SearchCopies | None = None  # this build's pages, as Pagefind reads them
        self.grouped: dict[str, tuple] = {}  # src_uri: group key (`_group_key`)
        self.csp_hashes: set[str] = set()  # the inline scripts of this edition's pages
        self.groups: dict[tuple, _Group] = {}
        self.later: list[_Later] = []  # grouped pages the plugin writes (`_Later`)
        self.written_later = 0
        self.listed_after: dict[str | None, list[_Later]] = {}  # for the sitemap, by the page
        # each follows in the order MkDocs was handed them
        self.nav = self.env = self.files = None  # this build's, for the pages written later

    def root(self, config) -> Path:
        return (Path(config.config_file_path).parent / self.config.root).resolve()

    def on_config(self, config):
        self.language = config.theme["language"]
        if self.serving:  # no sitemap of every page on every preview save
            config.theme.static_templates.discard("sitemap.xml")
        name = Path(config.config_file_path).name
        prefix = editions.prefix(self.language)
        site_url = config.site_url or ""
        if prefix and not site_url.endswith("/" + prefix):
            raise PluginError(f"{name}: expected site_url to end with /{prefix} (the edition is "
                              f"built into that folder), found {site_url!r}")
        declared = [dict(alt) for alt in config.extra.get("alternate") or []]
        languages = editions.languages(self.root(config))
        if len(languages) > 1 or declared:
            listed = [alt.get("lang") for alt in declared]
            if sorted(listed) != sorted(languages):
                raise PluginError(
                    f"{name}: extra.alternate lists the languages {listed}, but the editions are "
                    f"{languages} (mkdocs.yml and every mkdocs.<language>.yml); list each once "
                    "with its name and lang, e.g. `- {name: Español, link: /es/, lang: es}`")
        root_url = site_url[: len(site_url) - len(prefix)] if prefix else site_url
        self.editions = [{"lang": alt["lang"], "name": alt.get("name", alt["lang"]),
                          "prefix": editions.prefix(alt["lang"]), "root": root_url}
                         for alt in declared]
        return config

    def alternates(self, page) -> list[dict]:
        """This page in every edition: language, name, link from this page, full address.
        The 404 page, served at any address, links to the editions' home pages from the root."""
        if not self.editions:
            return []
        if page is None:
            root = urlsplit(self.editions[0]["root"]).path or "/"
            return [{"lang": e["lang"], "name": e["name"], "href": root + e["prefix"],
                     "url": None, "current": e["lang"] == self.language}
                    for e in self.editions]
        url = page.url
        up = "../" * (url.count("/") + editions.prefix(self.language).count("/"))
        found = []
        for edition in self.editions:
            href = up + edition["prefix"] + url
            found.append({"lang": edition["lang"], "name": edition["name"],
                          "href": href or "./",
                          "url": edition["root"] + edition["prefix"] + url,
                          "current": edition["lang"] == self.language})
        return found

    def on_env(self, env, *, config, files):
        env.trim_blocks = env.lstrip_blocks = True
        env.bytecode_cache = COMPILED  # the preview's saves compile the theme once
        env.globals["rf_alternates"] = self.alternates
        env.globals["rf_t"] = Strings(self.language)
        env.globals["rf_fill"] = self._fill
        env.loader = jinja2.ChoiceLoader([env.loader, jinja2.DictLoader(
            {FILLED: "{{ rf_fill() }}"})])
        self.env, self.files = env, files
        return env

    def on_nav(self, nav, *, config, files):
        self.nav = nav
        return nav

    def on_template_context(self, context, *, template_name, config):
        if template_name == "sitemap.xml" and self.listed_after:
            context["pages"] = self._listed(context["pages"], config.site_url)
        return context

    def _listed(self, pages, site_url) -> list:
        """Every page, the ones written outside MkDocs' loop in their places."""
        listed = _Listed.listing(site_url)
        found = [listed(file) for file in self.listed_after.get(None, ())]
        for file in pages:
            found.append(file)
            found += [listed(later) for later in self.listed_after.get(file.src_uri, ())]
        return found

    @jinja2.pass_context
    def _fill(self, context) -> str:
        """A grouped page (`shells.py`): the shell filled with its texts once the group's second
        page has shown that this gives what the theme gives; until then, the theme's page."""
        page = context["page"]
        key = self.grouped[page.file.src_uri]
        group = self.groups.setdefault(key, _Group())
        texts = _texts(page.url, page.meta, page.content)
        if group.good:
            group.filled += 1
            return group.shell.fill(texts)
        template = context.environment.get_template(key[1])
        values = context.get_all()
        html = template.render(values)
        if group.shell is None and not group.checked:
            # description and structured data are optional; the rest every page has
            tokens = {slot: token(slot, heading="<h1" in page.content) for slot in SLOTS
                      if slot in ("slug", "title", "content") or texts[slot]}
            probe = dict(values, page=_Probe(page, tokens))
            group.shell = Shell.parse(template.render(probe), tokens)
            group.checked = group.shell is None
        elif not group.checked:
            group.checked = True
            group.good = group.shell.fill(texts) == html
            if not group.good:
                log.debug("pages under /%s/ are rendered one by one: the theme's page differs "
                          "from the filled shell", key[0] + "/" if key[0] else "")
        return html

    def on_startup(self, *, command, dirty) -> None:
        # Defining on_startup also keeps this object across the live preview's rebuilds
        # (MkDocs ≥ 1.4), and with it the preview's memory of the previous build.
        self.serving = command == "serve"
        self.preview = None
        self.last_good, self.banner = None, None
        self.search_process, self.preview_indexed = None, False
        if self.serving and dirty:
            # MkDocs warns that a dirty build may leave navigation stale; ours is fixed (section
            # fronts only) and the plugin says which pages changed, so the warning, which
            # `strict: true` would turn into a failure, is not the editor's concern.
            engine.logger("commands.build").addFilter(_not_the_dirty_warning)

    def on_shutdown(self) -> None:
        # MkDocs keeps plugin objects for the next build (its Plugins option caches them), so
        # a finished build lets go of its pages here: `reunify build` builds the next edition
        # in the same process (at national size an edition's pages are a quarter of a gigabyte).
        if not self.serving:
            self.html, self.meta, self._metas = {}, {}, {}
            self.grouped, self.groups = {}, {}
        self.later, self.listed_after = [], {}
        self.nav = self.env = self.files = None
        self.indexing, self.scratch = None, None  # `reunify build` sets them for each build
        if self.search_process is not None:
            self._finish_preview_index()

    def on_pre_build(self, *, config) -> None:
        # The preview indexes once, when it starts, in the background; search results show the
        # content as it was then. Every other build indexes what it wrote.
        if self.copies is not None:
            self.copies.discard()
        if self.serving:
            if self.search_process is not None and self.search_process.finished():
                self._finish_preview_index(background=True)  # which deletes its copies
            # on the RAM disk if it has room, as for a build: they are deleted as soon as
            # Pagefind is done (on this machine's disk they cost the preview's start 3 s)
            self.copies = None if self.preview_indexed else SearchCopies()
        else:
            self.copies = SearchCopies(self.scratch)

    def _finish_preview_index(self, background: bool = False) -> None:
        try:
            self.search_process.wait(discard_in_background=background)
        except SearchIndexError as exc:
            log.warning("%s", exc)
        self.search_process = None

    def on_build_error(self, *, error) -> None:
        if self.copies is not None:
            self.copies.discard()
            self.copies = None

    def _secured(self, output: str) -> str:
        """The page with its Content-Security-Policy in a meta tag (`outputs/hosting.py`); not
        in the preview, whose live-reload script is written into every page."""
        if self.serving:
            return output
        hashes = hosting.inline_hashes(output)
        self.csp_hashes |= hashes
        return hosting.with_meta(output, hashes)

    def on_post_template(self, output_content: str, *, template_name: str, config) -> str:
        if template_name.endswith(".html"):  # the 404 page
            return self._secured(output_content)
        return output_content

    def on_post_page(self, output: str, *, page, config) -> str:
        return self._finished(output, page.file.dest_uri)

    def _finished(self, output: str, dest_uri: str) -> str:
        """A page as written: the preview's problems banner, the security policy, and its
        search copy taken."""
        if self.banner is not None:
            output = _BODY.sub(lambda m: m.group(0) + self.banner, output, count=1)
        output = self._secured(output)
        if self.copies is not None:
            self.copies.add(dest_uri, output)
        return output

    def _write_later(self, config) -> None:
        """The pages MkDocs was not asked to build (`_Later`): each filled in from its group's
        shell where the group's second page matched it, else built through the theme as
        MkDocs builds a page (the same steps, this plugin's included)."""
        later = [file for file in self.later if file.modified]  # a dirty build (the preview)
        self.later = []                                          # leaves the others as written
        self.written_later = len(later)
        pages = None  # the engine's pages, as its loop hands them to the theme
        filled = []
        for file in later:
            group = self.groups.get(file.key)
            if group is not None and group.good:
                filled.append(file)
                continue
            if pages is None:  # once: listing them for each page of a big group is slow
                pages = self.files.documentation_pages()
            file.as_page = True
            page = EnginePage(None, file, config)
            mkdocs_build._populate_page(page, config, self.files)
            mkdocs_build._build_page(page, config, pages, self.nav, self.env)
        self._fill_later(filled)

    def _fill_later(self, files: list[_Later]) -> None:
        """Fill in and write `files` from their groups' shells. When the live preview starts
        with a second processor free, a forked child does every other one (a national
        preview's 15,500 such pages: 1.65 s of its start in one process, 0.95 s in two); if the child fails, this process does
        its share again, and meets any real problem itself."""
        theirs, child = [], None
        if self.serving and len(files) >= FILL_IN_TWO_FROM and processes.can_fork():
            files, theirs = files[0::2], files[1::2]
            child = processes.fork(functools.partial(self._write_filled, theirs, in_child=True))
        try:
            self._write_filled(files)
            if child is not None:
                try:
                    filled, copied, written = child.join()
                except Exception:  # noqa: BLE001 (the child only saves time)
                    self._write_filled(theirs)
                    return
                for key, count in filled.items():
                    self.groups[key].filled += count
                if self.copies is not None:
                    self.copies.pages += copied
                    self.copies.expected -= written
        finally:
            if child is not None:
                child.kill()

    def _write_filled(self, files: list[_Later], in_child: bool = False):
        """Fill in and write `files`; in a child, say what it did to what this process keeps:
        ({group: pages filled}, search copies written, their addresses)."""
        copies = self.copies
        if in_child and copies is not None:
            copies.may_move = False  # the folder is this process's too: never move it away
            pages, expected = copies.pages, set(copies.expected)
        filled: dict[tuple, int] = {}
        for file in files:
            group = self.groups[file.key]
            group.filled += 1
            filled[file.key] = filled.get(file.key, 0) + 1
            html = group.shell.fill(_texts(file.url, _for_theme(self.meta[file.src_uri]),
                                           self.html[file.src_uri]))
            write_file(self._finished(html, file.dest_uri).encode(
                "utf-8", errors="xmlcharrefreplace"), file.abs_dest_path)
        if in_child:
            return (filled, copies.pages - pages, expected - copies.expected) \
                if copies is not None else (filled, 0, set())
        return None

    def _alone_on_pages(self, config) -> bool:
        """Whether no other plugin (or hook) takes part in building pages."""
        return all(getattr(method, "__self__", None) is self for event in PAGE_EVENTS
                   for method in config.plugins.events.get(event, ()))

    def _content(self, config):
        """(pages, assets, addresses changed since the last build or None for all, problems)."""
        if self.prepared is not None:
            prepared, self.prepared = self.prepared, None
            return prepared.output.pages, prepared.output.assets, None, prepared.problems
        today = build_date(self.config.today)
        try:
            if not self.serving:
                prepared = prepare(self.root(config), today, site_url=config.site_url or "",
                                   language=self.language, record_cards=self.config.record_cards)
                note = cards_note(self.config.record_cards, prepared.site.content)
                if note and self.language == editions.DEFAULT:
                    log.info(note)
                return prepared.output.pages, prepared.output.assets, None, prepared.problems
            if self.preview is None:
                self.preview = Preview(self.root(config), self.language,
                                       self.config.record_cards)
            update = self.preview.update(today, site_url=config.site_url or "")
        except ContentError as exc:
            if not self.serving or self.last_good is None:
                raise PluginError("the content has problems:\n" + exc.problems.report())
            return self._last_good_with_problems(exc.problems)
        for path in update.removed:  # a story deleted since the last preview build
            Path(config.site_dir, path).unlink(missing_ok=True)
        self.last_good = (update.pages, update.assets)
        changed = update.changed
        if self.banner is not None:  # fixed: every page is written again, without the banner
            self.banner, changed = None, None
            log.info("preview: the problems are fixed")
        log.info("preview: %s", "rebuilt everything" if update.full or changed is None else
                 f"rebuilt {len(changed)} page(s) and file(s) showing the changed stories")
        return update.pages, update.assets, changed, update.problems

    def _last_good_with_problems(self, problems):
        """The preview keeps answering while the content is wrong: the last good site, every
        page of it with a banner listing the problems, until a save fixes them."""
        errors = [p for p in problems.sorted() if p.severity == "error"]
        log.info("preview: the content has problems; showing the last good version:\n%s",
                 "\n".join(p.format() for p in errors))
        self.banner = problems_banner(errors, Strings(self.language))
        pages, assets = self.last_good
        return pages, assets, None, Problems(root=problems.root)  # shown in the banner

    def on_files(self, files: Files, *, config) -> Files:
        pages, assets, changed, problems = self._content(config)
        warnings, note = problems.to_show()
        for problem in warnings:
            log.info("%s", problem.format())
        if note:
            log.info("%s", note)
        self.html, self.meta = {}, {}
        self.grouped, self.groups = {}, {}
        fallbacks = self._english_fallbacks(files, config, {page.src_uri for page in pages})
        if changed is not None and config.nav and not any(
                file.is_modified() for file in fallbacks + [
                    file for file in files if file.is_documentation_page()]):
            # A save in the preview: MkDocs is handed only the pages and files that changed,
            # and the navigation's pages; the others are already written in the preview's
            # folder, which a dirty build leaves as it is. Making a page object for each of a
            # national hub's 15,000 pages was most of a save's time. (Only when no hand-written
            # page changed: MkDocs checks the links of a changed one against every page; and
            # only with a `nav` setting: without one, the navigation lists every page.)
            keep = changed | _nav_pages(config.nav)
            pages = [page for page in pages if page.src_uri in keep]
            assets = [asset for asset in assets if asset.path in changed]
        if self.config.page_shells:
            keys = {page.src_uri: _group_key(page) for page in pages}
            sizes: dict[tuple, int] = {}
            for key in keys.values():
                sizes[key] = sizes.get(key, 0) + 1
            self.grouped = {uri: key for uri, key in keys.items()
                            if key is not None and sizes[key] > 2}
        if changed is None:
            self._metas = {}
        # A group's pages after its first two are written by the plugin (`_Later`), where the
        # navigation is the `nav` setting's (without one, it lists every page), and never a
        # page the navigation names (MkDocs makes its page object with the navigation)
        later = bool(self.grouped) and bool(config.nav) and self._alone_on_pages(config)
        in_nav = _nav_pages(config.nav) if later else set()
        self.later, self.listed_after = [], {}
        built: dict[tuple, int] = {}  # pages of each group handed to MkDocs
        last = None  # the last page handed to MkDocs
        for page in pages:
            if files.get_file_from_path(page.src_uri) is not None:
                raise PluginError(f"{config.docs_dir}/{page.src_uri} would replace the generated "
                                  f"page /{page.url}; rename or remove the hand-written file")
            modified = changed is None or page.src_uri in changed
            key = self.grouped.get(page.src_uri)
            if later and key is not None and built.get(key, 0) >= 2 and \
                    page.src_uri not in in_nav:
                file = _later(config, page, key, modified)
                self.later.append(file)
                self.listed_after.setdefault(last, []).append(file)
            else:
                file = File.generated(config, page.src_uri, content="")
                _mark(file, modified)
                if key is not None:
                    built[key] = built.get(key, 0) + 1
                last = page.src_uri
            files.append(file)
            self.html[page.src_uri] = page.html
            known = self._metas.get(id(page))  # a preview keeps the pages that did not change
            if known is None or known[0] is not page:
                known = self._metas[id(page)] = (page, page_meta(page))
            self.meta[page.src_uri] = known[1]
        for asset in assets:
            if asset.source is not None:
                file = File.generated(config, asset.path, abs_src_path=str(asset.source))
                file.copy_file = functools.partial(_link_file, file)
            else:
                file = File.generated(config, asset.path, content=asset.content)
            _mark(file, changed is None or asset.path in changed)
            files.append(file)
        self._strip_images(files, config)
        self._leave_out_unused(files, config)
        for file in fallbacks:
            files.append(file)
        self.untranslated = {file.src_uri for file in fallbacks}
        if self.later and self.copies is not None:  # in the order of MkDocs' page loop
            self.copies.expect(file.dest_uri for file in files
                               if file.is_documentation_page() or isinstance(file, _Later))
        return files

    def _english_fallbacks(self, files: Files, config, generated: set[str]) -> list[File]:
        """The English hand-written pages an edition has no translation of (built from the
        English file, marked as English)."""
        if self.language == editions.DEFAULT:
            return []
        english = editions.pages_dir(self.root(config), editions.DEFAULT)
        found = []
        for source in sorted(english.rglob("*.md")):
            uri = source.relative_to(english).as_posix()
            if uri not in generated and files.get_file_from_path(uri) is None:
                found.append(File.generated(config, uri, abs_src_path=str(source)))
        return found

    def _leave_out_unused(self, files: Files, config) -> None:
        """Material's files that no page of ours fetches are not published: its own search
        (lunr's 70 language files and the search worker: search here is Pagefind) and the
        source maps of its scripts and styles. 4.5 MB and 80 files a national site need not
        upload. (The theme's scripts still name the worker; they start it only beside
        Material's search box, which a site without Material's search plugin has not.)"""
        if any(name.endswith("search") for name in config.plugins):
            return
        for file in list(files):
            if file.generated_by is None and UNUSED_THEME_FILES.search(file.src_uri) and \
                    not _editors_own(file, config):
                files.remove(file)

    def _strip_images(self, files: Files, config) -> None:
        """Images of the hand-written pages and theme overrides leave without their metadata
        (Material's own files are left as they are)."""
        for file in list(files):
            suffix = Path(file.src_uri).suffix.lower()
            if file.generated_by is not None or suffix not in images.PAGE_IMAGES or \
                    not _editors_own(file, config):
                continue
            files.remove(file)
            files.append(File.generated(config, file.src_uri,
                                        content=images.page_image(Path(file.abs_src_path))))

    def on_pre_page(self, page, *, config, files):
        # A generated page is finished HTML: MkDocs need not set up a Markdown converter with
        # every extension for it (a tenth of its time per page). Its content is set in
        # on_page_content.
        if page.file.src_uri in self.html:
            page.render = functools.partial(_already_rendered, page)
        return page

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        generated = self.meta.get(page.file.src_uri)
        page.meta = _for_theme(page.meta if generated is None else generated)
        if page.file.src_uri in self.grouped:
            page.meta["template"] = FILLED
        return markdown

    def on_page_content(self, html: str, *, page, config, files) -> str:
        generated = self.html.get(page.file.src_uri)
        if generated is not None:
            return generated
        html = clean_page_html(html)
        if page.file.src_uri in self.untranslated:
            note = Strings(self.language)("common.untranslated_note")
            html = f'<p class="rf-untranslated-note" role="note">{note}</p>\n' + str(
                untranslated_block(html))
        return html

    def on_post_build(self, *, config) -> None:
        self._write_later(config)
        if not self.serving:  # merged into _headers by `commands/build.py` (`hosting.finish`)
            (Path(config.site_dir) / hosting.HASHES_FILE).write_text(
                json.dumps(sorted(self.csp_hashes)), encoding="utf-8")
        self.csp_hashes = set()
        if self.groups:
            log.info("%d of %d pages filled in from %d shells; %d written after the engine's "
                     "page loop", sum(g.filled for g in self.groups.values()), len(self.html),
                     sum(g.good for g in self.groups.values()), self.written_later)
        copies, self.copies = self.copies, None
        if copies is None:
            return
        if self.indexing is not None:  # `reunify build` indexes it
            self.indexing.append((copies, Path(config.site_dir)))
            return
        indexing = copies.index(Path(config.site_dir), None if self.serving else
                                images.cache_folder(self.root(config), "search"))
        if self.serving:  # in the background, while the editor works
            self.search_process, self.preview_indexed = indexing, True
            return
        try:
            indexing.wait()
        except SearchIndexError as exc:
            raise PluginError(str(exc)) from None

    def on_serve(self, server, *, config, builder):
        root = self.root(config)
        for path in (root / "resources.yaml", root / "stories",
                     editions.home_intro(root, self.language),
                     editions.pages_dir(root, editions.DEFAULT),
                     toolkit_text.file_for(root, editions.DEFAULT),
                     toolkit_text.file_for(root, self.language)):
            if path.exists():
                server.watch(str(path))
        return server
