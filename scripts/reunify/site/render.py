"""Stage 4: every generated page as finished HTML, from the indexes and Jinja2 templates.

Templates are our own files; content reaches them only as data (autoescaped), never as template
source, so `{{ 7*7 }}` in a story stays those characters. Markdown bodies are rendered and
sanitised in `sanitize.py` before a template sees them.
"""
from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from urllib.parse import urljoin

from babel import Locale
from jinja2 import BytecodeCache, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from reunify.content import geography, links
from reunify.content.editions import DEFAULT
from reunify.site import graphics
from reunify.site.index import Facet, Site, event_end, event_start, first_letter, slugify
from reunify.site.localize import UNTRANSLATED_CLASS, InEnglish, Terms, Untranslated, untranslated_block
from reunify.engine.output import Asset, Output, Page
from reunify.content.sanitize import markdown_to_html
from reunify.site.strings import Strings, field_descriptions
from reunify.site.template_context import context_for
from reunify.content import data_fields
from reunify.content.toolkit_text import fill
from reunify.outputs import cards, exports, images, posts, syndication, structured, toolkit
from reunify.content.validate import image_allowed, is_stale

# The sections whose pages' share cards say which section they are in (`cards.<section>`).
SECTIONS = ("stories", "resources", "organizations", "drives", "events", "news", "data",
            "search", "archive", "toolkit")
STORIES_PER_PAGE = 12
RESOURCES_PER_PAGE = 40
FILTER_CARDS_PER_FILE = RESOURCES_PER_PAGE
ORGANIZATIONS_PER_PAGE = 40
RECORDS_PER_PAGE = 24  # drives and events
PREVIEW = 12  # records shown on a summary page before "see all"
STATE_PREVIEW = 6  # cards of each kind on a state's page; the rest as links
RECORD_KINDS = ("stories", "resources", "organizations", "drives", "events")
# `record_cards: auto` (the default): stories, drives and events always get cards of their own
# (they are what people share, and even a national hub has few: 1,000 stories); resources and
# partners while there are at most OWN_CARDS_UP_TO of them. A card is about 21 KB, so a
# national hub's 10,000 resources and 2,000 partners would add half a gigabyte over two
# editions, half of GitHub Pages' 1 GB (README, "How big a site can be").
AUTO_CARDS = "auto"
ALWAYS_OWN_CARDS = ("stories", "drives", "events")
OWN_CARDS_UP_TO = 1000


def card_kinds(setting, content) -> tuple[str, ...]:
    """The kinds of record whose pages get a share card of their own: those `record_cards`
    lists, or for "auto" (and None) as AUTO_CARDS says."""
    if setting is not None and setting != AUTO_CARDS:
        return tuple(kind for kind in RECORD_KINDS if kind in setting)
    return tuple(kind for kind in RECORD_KINDS if kind in ALWAYS_OWN_CARDS or
                 len(getattr(content, kind)) <= OWN_CARDS_UP_TO)


def cards_note(setting, content) -> str | None:
    """One line for the build when `record_cards: auto` gave a kind's pages its section's card
    (an editor who did not choose it should know why a resource's card is the section's)."""
    if setting is not None and setting != AUTO_CARDS:
        return None
    names = {"resources": "resources'", "organizations": "partners'"}
    shared = [f"{len(getattr(content, kind)):,} {names[kind]}" for kind in RECORD_KINDS
              if kind not in card_kinds(setting, content)]
    if not shared:
        return None
    return (f"the {' and '.join(shared)} pages share their section's share card, which keeps "
            f"the site small enough for every host (`record_cards: auto` gives them cards of "
            f"their own while there are at most {OWN_CARDS_UP_TO:,}); to choose, list the kinds "
            f"under `record_cards` in mkdocs.yml (README, \"How big a site can be\")")


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per process, not once per render: the live preview makes a new
    renderer (and MkDocs a new theme environment) at every save, and compiling their forty
    templates again took a fifth of a save at national size. Jinja checks each template's
    source against what was compiled, so an edited template is compiled again."""

    def __init__(self):
        self._code: dict[tuple, bytes] = {}

    @staticmethod
    def _key(bucket) -> tuple | None:
        # what the compiled code depends on besides the source: the environment's syntax and
        # whitespace settings and whether it escapes (Jinja's own key is the file name only);
        # an environment that decides escaping by a function is not cached
        env = bucket.environment
        if not isinstance(env.autoescape, bool):
            return None
        return (bucket.key, env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline,
                env.newline_sequence, env.block_start_string, env.block_end_string,
                env.variable_start_string, env.variable_end_string, env.comment_start_string,
                env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
                env.autoescape, env.optimized, tuple(sorted(env.extensions)))

    def load_bytecode(self, bucket) -> None:
        key = self._key(bucket)
        code = self._code.get(key) if key else None
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        key = self._key(bucket)
        if key:
            self._code[key] = bucket.bytecode_to_string()


COMPILED = CompiledTemplates()

NATIONAL_PREVIEW = 12  # nationwide partners on the partners' page; all of them on their own
PAGER_REACH = 2  # page numbers shown either side of the current one
# the order of the drives' and events' lists (pager.order_* in the locales), as index.py sorts
LIST_ORDERS = {("drives", "active"): "ending", ("drives", "past"): "ended",
               ("events", "upcoming"): "soonest", ("events", "past"): "latest"}


def _compact(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class Subset:
    """What the live preview re-renders after stories changed: these stories' pages, the story
    lists, the home page, these partners' pages, the partners' front page and the states'
    pages (`states`), and the campaign years."""

    stories: set[str]
    organizations: set[str]
    # the states whose pages show these stories; None: every state's (a story came, went or
    # moved, which changes the counts on every state page's map)
    states: set[str] | None = None


def items_received(drive) -> int:
    """Goods received toward a drive's item goals; gifts beyond an item's goal don't count."""
    return sum(min(item.received, item.needed) for item in drive.items)


def page_title(source) -> str:
    """A hand-written page's title as MkDocs gives it: `title:` in its front matter, else its
    first heading, else its file name."""
    import re
    text = source.read_text(encoding="utf-8", errors="replace")
    meta = re.match(r"---\s*\n(.*?)\n---\s*\n", text, re.S)
    if meta:
        found = re.search(r"^title:\s*(.+?)\s*$", meta[1], re.M)
        if found:
            return found[1].strip("\"'")
        text = text[meta.end():]
    heading = re.search(r"^#\s+(.+?)\s*#*\s*$", text, re.M)
    return heading[1] if heading else source.stem.replace("-", " ").capitalize()


# The way up to the site's root in a card rendered for every depth: written unescaped, so no
# text of the content can spell it (content is escaped or sanitised, and this is no tag it allows).
_UP = Markup("<rf-up-to-root>")


def relative(from_url: str, to_url: str) -> str:
    """A link from the page at `from_url` to `to_url`, both relative to the site root: up to
    the root, then down. (It depends only on the depth of `from_url`, so a card rendered once
    serves every page at that depth; posixpath.relpath took a tenth of a build.)"""
    if "://" in to_url or to_url.startswith(("mailto:", "tel:", "#")):
        return to_url
    up = "../" * from_url.count("/")
    return (up + to_url) or "./"


class Renderer:
    def __init__(self, site: Site, strings: Strings, *, home_intro: str = "",
                 site_url: str = "", shared: str = "", words: dict | None = None,
                 pictures: bool = True, record_cards=AUTO_CARDS):
        """`shared`: the way from this edition's root to the files all editions share (the
        data exports), '' for the English edition at the site root, '../' for /es/."""
        self.site = site
        self.t = strings
        self.language = strings.language
        self.home_intro = home_intro
        self.site_url = site_url.rstrip("/") + "/" if site_url else "/"
        self.shared = shared
        self.image_cache = images.cache_folder(site.content.root)
        self.cards = cards.Cache(site.content.root)
        # share and quote cards: drawn by builds; the preview leaves them out (a national hub's
        # first preview would otherwise draw 25,000 of them)
        self.pictures = pictures
        # the kinds of record whose pages get a share card of their own (`record_cards` in
        # mkdocs.yml: a list of kinds, or "auto"); the others share their section's, which keeps
        # a national hub's size
        self.record_cards = set(card_kinds(record_cards, site.content))
        campaign = site.campaign
        self.brand = f"{campaign.name} {campaign.year}"
        # the hashtag and host, not the site's address: the preview's address differs, and
        # the cards must be the ones the build draws
        self.footer = f"{campaign.hashtag} · {campaign.host}"
        # the toolkit, made when its words were given (`toolkit_text.load`)
        self.kit = toolkit.Maker(site, words, self.language, strings, self.permalink,
                                 self.cards, self.brand, self.footer) if words else None
        self.term = Terms(site.content, self.language, DEFAULT)
        self.env = Environment(loader=PackageLoader("reunify.site", "templates"), autoescape=True,
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                               auto_reload=False, bytecode_cache=COMPILED)
        self.env.context_class = context_for(Strings, Terms)
        self.env.globals.update(
            t=strings, site=site, campaign=site.campaign, state_name=self.state_name,
            site_root=shared,
            link=self._link, event_start=event_start, event_end=event_end, today=site.today,
            image_allowed=image_allowed, filesize=self.filesize, org_of=site.org_by_id.get,
            slug=slugify, items_received=items_received,
            stale=lambda record: is_stale(record, site.today), language_name=self.language_name,
            permalink=self.permalink, term=self.term, lang_of=self.lang_of,
            english_filter=self.english_filter,
            platforms=lambda form: ", ".join(posts.PLATFORMS[form]),
            illustration=graphics.illustration, story_picture=self.story_picture,
            report_link=self.report_link, link_checked=self.link_checked,
            language_names=lambda codes: json.dumps(
                {code: self.language_name(code, False) for code in codes}, ensure_ascii=False),
        )
        self.env.globals["card"] = self.card
        self.page_url = ""
        self._cards: dict[tuple, str] = {}
        self._any_depth = False  # a card is being rendered for every depth (`card`)
        self._pictures: dict[str, tuple] = {}
        # Text as plain text, for attributes and <option>s, where markup cannot go.
        self.env.filters["plain"] = lambda value: str(value)
        # every template's `m`: the macros made once, not looked up again at each page (an
        # `{% import %}` compared the page's globals with the macros' at each render)
        macros = self.env.globals["m"] = self.env.get_template("_macros.html").module
        self._card_macros = {kind: getattr(macros, f"{kind}_card")
                             for kind in ("resource", "story", "drive", "event", "org")}

    @staticmethod
    def lang_of(value) -> Markup:
        """` lang="en"` for English text shown in another edition, to put on its element."""
        return Markup(' lang="en"') if isinstance(value, InEnglish) else Markup("")

    @staticmethod
    def english_filter(value, field: str) -> Markup:
        """For English text in another edition, a Pagefind filter naming the field, so that the
        resource filters' cards mark it lang="en" as the page does. (Filters, unlike Pagefind's
        metadata, are not added to the word index that every search downloads.)"""
        return Markup(f' data-pagefind-filter="english:{field}"') \
            if isinstance(value, InEnglish) else Markup("")

    def _link(self, target: str) -> str:
        """A link from the page being rendered. The page is the renderer's, not the template
        context's, so that the macros can be imported once rather than with every page.
        While a card is rendered for every depth at once, the way up is a stand-in (`_UP`)."""
        if self._any_depth and target and "://" not in target and \
                not target.startswith(("mailto:", "tel:", "#")):
            return _UP + escape(target)
        return relative(self.page_url, target)

    def card(self, kind: str, record, level: int = 3) -> Markup:
        """A record's card, rendered once per heading level with a stand-in for the way up to
        the site's root, then made for each depth of page (a link depends on nothing else,
        `relative`): a resource appears on half a dozen listings at three depths."""
        depth = self.page_url.count("/")
        key = (kind, id(record), level, depth)
        html = self._cards.get(key)
        if html is None:
            template = self._cards.get(key[:3])
            if template is None:
                self._any_depth = True
                try:
                    template = self._cards[key[:3]] = self._card_macros[kind](record, level)
                finally:
                    self._any_depth = False
            html = self._cards[key] = str(template).replace(str(_UP), "../" * depth)
        return Markup(html)

    def state_name(self, code: str) -> str:
        return self.t("states.national") if code == geography.NATIONAL else \
            geography.STATES.get(code, code)

    def language_name(self, code: str, capital: bool = True) -> str:
        """'Spanish' in English; 'español' in running Spanish text, 'Español' in a list."""
        name = Locale.parse(code).get_display_name(self.t.locale)
        return name[:1].upper() + name[1:] if capital else name

    def permalink(self, url: str) -> str:
        return urljoin(self.site_url, url) if url.startswith("../") else self.site_url + url

    def link_checked(self, url: str) -> tuple[date | None, date | None]:
        """(the day `reunify links check` last found the link working, the day it found it
        broken for readers), either None."""
        entry = self.site.content.links.get(url)
        if not entry:
            return None, None
        worked = entry.get("last_worked")
        today = self.site.today
        broken = links.broken_since(entry, datetime(today.year, today.month, today.day, 23, 59,
                                                    tzinfo=timezone.utc))
        return (date.fromisoformat(worked[:10]) if worked and not broken else None), broken

    def filesize(self, size: int) -> str:
        if size >= 1024 * 1024:
            return self.t("units.mb", size=self.t.number(round(size / 1024 / 1024, 1)))
        return self.t("units.kb", size=self.t.number(max(1, round(size / 1024))))

    def page(self, template: str, url: str, title: str, description: str = "", **data) -> Page:
        self.page_url = url
        html = self.env.get_template(template).render(page_url=url, title=title, **data)
        if self.language != DEFAULT and UNTRANSLATED_CLASS in html:
            html = (f'<p class="rf-untranslated-note" role="note">'
                    f'{self.t("common.untranslated_note")}</p>\n') + html
        page = Page(url, str(title), html, str(description))
        page.share = cards.Card(self.t(f"cards.{self.section(url)}"), str(title),
                                brand=self.brand, footer=self.footer)
        return page

    @staticmethod
    def section(url: str) -> str:
        first = url.split("/", 1)[0]
        if first.isdigit():
            return "year"
        return first if first in SECTIONS else ("home" if not first else "page")

    def paginated(self, items: list, per_page: int, base_url: str):
        """Yield (url, page number, page count, slice) for each page of a long list."""
        count = max(1, math.ceil(len(items) / per_page))
        for number in range(1, count + 1):
            url = base_url if number == 1 else f"{base_url}page/{number}/"
            yield url, number, count, items[(number - 1) * per_page: number * per_page]

    def pager(self, base_url: str, number: int, count: int, order: str = "newest",
              letters: list[tuple[str, str]] | None = None) -> dict:
        """What a page of a long list says of the rest: the order it is in, where this page
        is, the pages around it, the first and the last (with "…" between), and, for an A to Z
        list, the page each letter starts on."""
        def at(n):
            return base_url if n == 1 else f"{base_url}page/{n}/"
        near = sorted({1, count, *range(max(1, number - PAGER_REACH),
                                        min(count, number + PAGER_REACH) + 1)})
        pages, before = [], 0
        for n in near:
            if n - before > 1:
                pages.append((None, None))
            pages.append((n, at(n)))
            before = n
        return {"number": number, "count": count, "order": self.t(f"pager.order_{order}"),
                "previous": at(number - 1) if number > 1 else None,
                "next": at(number + 1) if number < count else None,
                "pages": pages, "letters": letters or []}

    @staticmethod
    def letters(items: list, per_page: int, base_url: str, name) -> list[tuple[str, str]]:
        """For a list in A to Z order: each first letter (accents folded; "#" for digits and
        signs) and the page it starts on."""
        starts: dict[str, int] = {}
        for i, item in enumerate(items):
            starts.setdefault(first_letter(name(item)), i // per_page + 1)
        return [(letter, base_url if n == 1 else f"{base_url}page/{n}/")
                for letter, n in starts.items()]

    # -- the pages --------------------------------------------------------------------------

    def render(self, subset: Subset | None = None, *, resources=None,
               resources_here: int = 0) -> Output:
        """Every page and file (or only those a `Subset` names). `resources`, if given, is
        called for the resources section's pages and files, and the feeds and calendars,
        instead of making them here: the live preview has them made in a second process
        (`made_apart`) meanwhile, but the pages of the first `resources_here` resources, made
        here."""
        if subset is not None:
            return self.render_subset(subset)
        out = Output()
        started = time.perf_counter()
        pages = [self.home()]
        pages += self.stories(out)
        made_here = self.resources(out) if resources is None else None
        rest = self.organizations()
        rest += self.drives()
        rest += self.events()
        rest.append(self.page("news.html", "news/", self.t("news.title"), self.t("news.intro"),
                              items=self.site.news))
        rest.append(self.data_page())
        search = self.page("search.html", "search/", self.t("search.title"),
                           self.t("search.intro"))
        search.searchable = False
        rest.append(search)
        rest += self.campaign_years()
        exported = feeds = None
        if made_here is None:
            # the data files too, while the other process makes the resources' pages
            exported = self.export_files() if self.language == DEFAULT else None
            mine = self.resource_pages(self.site.resources[:resources_here])
            theirs, assets, feeds = resources()
            # theirs: the lists, then the pages of the resources after the first
            lists = len(theirs) - (len(self.site.resources) - len(mine))
            made_here = theirs[:lists] + mine + theirs[lists:]
            for asset in assets:
                out.add(asset)
        pages += made_here + rest
        if self.kit is not None:
            pages.append(self.toolkit(out))
        for page in pages:
            out.add(page)
        out.timings["pages"] = time.perf_counter() - started
        started = time.perf_counter()
        self.draw_cards(out, pages)
        self.hand_written_cards(out)
        out.timings["cards"] = time.perf_counter() - started
        started = time.perf_counter()
        if self.language == DEFAULT:
            self.exports(out, exported)
        self.syndication(out, feeds)
        self.redirects(out)
        out.timings["exports"] = time.perf_counter() - started
        return out

    def render_subset(self, subset: Subset) -> Output:
        out = Output()
        started = time.perf_counter()
        pages = [self.home()] + self.stories(out, only=subset.stories)
        pages += self.organization_lists(states=subset.states)
        pages += self.organizations(only=subset.organizations)
        pages += self.campaign_years()
        if self.kit is not None:  # it shows the stories' posts
            pages.append(self.toolkit(out))
        for page in pages:
            out.add(page)
        out.timings["pages"] = time.perf_counter() - started
        self.draw_cards(out, pages)
        out.add(Asset(syndication.STORIES_FEED, syndication.stories_feed(
            self.site, self.permalink, self.t)))
        self.redirects(out)
        return out

    def home(self) -> Page:
        site = self.site
        campaign = site.campaign
        # before the month: it counts down; during it: as planned; after it, until the next
        # June is set (`reunify new-year`): thanks, and what the month did
        phase = "before" if site.today < campaign.starts else \
            "after" if site.today > campaign.ends else "during"
        year = next(y for y in site.years if y.current)
        recap = {"stories": len(year.stories),
                 "events": sum(event_end(e).date() < site.today for e in year.events),
                 "drives": len(year.drives),
                 "given": sum(items_received(d) for d in year.drives),
                 "raised": sum(d.raised_amount or 0 for d in year.drives)}
        page = self.page("home.html", "", campaign.name, campaign.tagline or campaign.theme,
                         intro=Markup(self.home_intro), stories=site.stories[:3],
                         drives=site.active_drives[:3], events=site.upcoming_events[:3],
                         phase=phase, recap=recap, state_map=self.state_map(""),
                         numbers=self.numbers(year, "rf-home"),
                         figure_charts=self.figure_charts(campaign.figures))
        page.template = "home.html"
        page.jsonld = structured.campaign(site, self.permalink)
        page.share = cards.Card(self.t("cards.home"), str(campaign.theme),
                                self.t("home.dates", start=self.t.date(campaign.starts),
                                       end=self.t.date(campaign.ends)),
                                brand=self.brand, footer=self.footer)
        return page

    def paged(self, template: str, base_url: str, title: str, items: list, per_page: int,
              description: str = "", *, order: str, name=None, **data) -> list[Page]:
        """A long list split over pages base_url, base_url/page/2/…; each page's size is
        bounded whatever the number of records. `order` names the list's order (pager.order_*
        in the locales); `name(item)`, for an A to Z list, what it is sorted by."""
        pages = []
        letters = self.letters(items, per_page, base_url, name) \
            if name is not None and len(items) > per_page else None
        for url, number, count, chunk in self.paginated(items, per_page, base_url):
            heading = title if number == 1 else self.t("pager.title", title=title, number=number)
            page = self.page(template, url, heading, description, items=chunk,
                             pager=self.pager(base_url, number, count, order, letters),
                             total=len(items), first=number == 1, **data)
            page.searchable = False
            if number > 1:
                page.share, page.card = None, base_url + "card.png"
            pages.append(page)
        return pages

    def story_list(self, base_url: str, title: str, stories: list, intro: str = "") -> list[Page]:
        return self.paged("story_list.html", base_url, title, stories, STORIES_PER_PAGE, intro,
                          order="newest", intro=intro)

    def stories(self, out: Output, only: set[str] | None = None) -> list[Page]:
        site = self.site
        pages = self.story_list("stories/", self.t("stories.title"), site.stories,
                                self.t("stories.intro"))
        themes = self.page("facet_index.html", "stories/themes/", self.t("stories.themes"),
                           facets=site.stories_by_theme, base="stories/themes/",
                           noun="stories.count")
        themes.searchable = False
        pages.append(themes)
        for facet in site.stories_by_theme:
            pages += self.story_list(f"stories/themes/{facet.slug}/",
                                     self.t("stories.theme_title", theme=self.term(facet.label)),
                                     facet.items)
        for facet in site.stories_by_year:
            pages += self.story_list(f"stories/years/{facet.slug}/",
                                     self.t("stories.year_title", year=facet.label), facet.items)
        for story in site.stories:
            if only is not None and story.id not in only:
                continue
            picture = None
            if image_allowed(story):
                self.story_picture(story)
                picture, files = self._pictures[story.id]
                if self.language == DEFAULT:  # one copy, at the site root, for every edition
                    for path, source in files.items():
                        out.add(Asset(path, source=source))
            image = self.shared + picture.largest.path if picture else None
            body = Markup(markdown_to_html(story.body))
            if story.body_language:
                body = untranslated_block(body)
            quotes = self.kit.quote_cards(story) if self.kit and self.pictures else []
            for path, source, _ in quotes:
                out.add(Asset(path, source=source))
            samples = self.kit.story_posts(story) if self.kit else []
            page = self.page("story.html", f"stories/{story.id}/", story.meta.title,
                             story.meta.summary, story=story, picture=picture, body=body,
                             related=site.related.get(story.id, []),
                             share=samples, quote_cards=quotes)
            page.jsonld = structured.story(site, story, self.permalink, image)
            if toolkit.social(story):
                org = site.org_by_id.get(story.meta.organization)
                self.record_card(page, "stories", cards.Card(
                    self.t("cards.story"), str(story.meta.title),
                    self.t("cards.story_detail", state=self.state_name(story.meta.state),
                           organization=str(org.name) if org else ""),
                    brand=self.brand, footer=self.footer))
            else:  # no picture of a story its family did not agree to see on social media
                page.share, page.card = None, "stories/card.png"
            pages.append(page)
        return pages

    def record_card(self, page: Page, kind: str, card: cards.Card) -> None:
        """A record's page gets its own card, or, if its kind is not in `record_cards`, its
        section's (stories/card.png…)."""
        if kind in self.record_cards:
            page.share = card
        else:
            page.share, page.card = None, f"{kind}/card.png"

    def draw_cards(self, out: Output, pages: list[Page]) -> None:
        """Each page's share card, beside it as card.png (drawn once: `cards.Cache`)."""
        if not self.pictures:
            return
        for page in pages:
            if page.share is not None:
                out.add(Asset(page.url + "card.png", source=self.cards.share(page.share)))
                page.card, page.share = "own", None

    def hand_written_cards(self, out: Output) -> None:
        """The share cards of the hand-written pages (this edition's, and the English pages it
        shows until they are translated), titled as the page is."""
        from reunify.content import editions

        if not self.pictures:
            return
        root = self.site.content.root
        found: dict[str, str] = {}
        for language in dict.fromkeys([self.language, DEFAULT]):
            folder = editions.pages_dir(root, language)
            for source in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
                uri = source.relative_to(folder).with_suffix("").as_posix()
                url = "" if uri == "index" else (uri[:-len("index")] if uri.endswith(
                    "/index") else uri + "/")
                if url and url not in found:
                    found[url] = page_title(source)
        for url, title in found.items():
            card = cards.Card(self.t("cards.page"), title, brand=self.brand, footer=self.footer)
            out.add(Asset(url + "card.png", source=self.cards.share(card)))

    def event_when_where(self, event) -> tuple[str, str]:
        start = event_start(event)
        where = str(event.place.name) if event.place else self.t("cards.online")
        return f"{self.t.date(start.date())}, {self.t.time(start)}", where

    def event_posts(self, event) -> list:
        return self.kit.event_posts(event, *self.event_when_where(event))

    def record_posts(self) -> list[tuple[str, str, list]]:
        """(title, address, sample posts) of every story whose family agreed to social media,
        every current drive and every upcoming event, as their pages show them."""
        site, kit = self.site, self.kit
        found = [(str(s.meta.title), f"stories/{s.id}/", kit.story_posts(s))
                 for s in site.stories if toolkit.social(s)]
        found += [(str(d.title), f"drives/{d.id}/", kit.drive_posts(d, self.drive_progress(d)[0]))
                  for d in site.active_drives]
        found += [(str(e.title), f"events/{e.id}/", self.event_posts(e))
                  for e in site.upcoming_events]
        return found

    def toolkit(self, out: Output) -> Page:
        """/toolkit/: the campaign kit for partners, with every file it offers. The zip holds
        the quote cards of the campaign year's newest stories (`toolkit.QUOTES_IN_ZIP`); every
        story's are on its page."""
        year = self.site.campaign.year
        newest = [s for s in self.site.stories if s.meta.campaign_year == year]
        quotes = [card for s in newest[:toolkit.QUOTES_IN_ZIP] for card in self.kit.quote_cards(s)
                  ] if self.pictures else []
        record_posts = self.record_posts()
        kit = self.kit.make(record_posts, quotes)
        for path, source in kit.files.items():
            out.add(Asset(path, source) if isinstance(source, bytes) else
                    Asset(path, source=source))
        page = self.page("toolkit.html", toolkit.FOLDER, self.t("toolkit.title"),
                         self.t("toolkit.description", name=self.site.campaign.name),
                         kit=kit, intro=fill(self.kit.mine.intro, self.kit.values()),
                         limits=posts.LIMITS, platforms=posts.PLATFORMS,
                         preview=PREVIEW, record_posts={
                             kind: [r for r in record_posts if r[1].startswith(kind + "/")]
                             for kind in ("stories", "drives", "events")})
        return page

    def report_link(self, kind: str, record_id: str, title: str) -> str:
        """"Report a problem with this page": the campaign's form, or an email to its contact
        with the record and its address filled in."""
        from urllib.parse import quote, urlencode

        campaign = self.site.campaign
        address = self.permalink(f"{kind}/{record_id}/")
        if campaign.report_url:
            return campaign.report_url
        subject = self.t("report.subject", title=str(title), id=record_id)
        body = self.t("report.body", address=address)
        return f"mailto:{campaign.contact_email}?" + urlencode(
            {"subject": subject, "body": body}, quote_via=quote)

    def story_picture(self, story):
        """The published photo of a story whose family agreed to it, or None."""
        if not image_allowed(story):
            return None
        if story.id not in self._pictures:
            self._pictures[story.id] = images.publish(
                story.file.parent / story.meta.image.src, f"stories/{story.id}/",
                self.image_cache)
        return self._pictures[story.id][0]

    def state_codes(self) -> list[str]:
        """Every state with a record of any kind, by name."""
        return sorted(self.site.states, key=self.state_name)

    def state_label(self, code: str) -> str:
        """A tile's accessible name: "Alabama, AL: 3 partners, 1 drive"."""
        records = self.site.states.get(code)
        parts = [self.t(key, count=len(found)) for key, found in (
            ("organizations.count", records.partners if records else []),
            ("drives.count", records.drives if records else []),
            ("events.count", records.events if records else []),
            ("stories.count", records.stories if records else []),
            ("resources.count", records.resources if records else [])) if found]
        # the name holds the two letters the tile shows (WCAG 2.5.3, label in name)
        return f"{self.state_name(code)}, {code}: " + (", ".join(parts) if parts else
                                                       self.t("map.nothing"))

    def state_map(self, from_url: str, current: str = "") -> Markup:
        """The tile map for the page at `from_url`; each state with records links to its
        page."""
        tiles = []
        for code in graphics.TILES:
            records = self.site.states.get(code)
            tiles.append(graphics.Tile(code, self.state_name(code),
                                       records.total if records else 0, self.state_label(code),
                                       relative(from_url, f"organizations/states/{code.lower()}/")
                                       if records else None))
        return graphics.tile_map(tiles, title=self.t("map.title_state", state=self.state_name(
            current)) if current else self.t("map.title"), legend=(self.t("map.fewer"),
                                                                    self.t("map.more")),
            current=current, label_id="rf-map-" + (current.lower() or "all"))

    def chart(self, bars: list, title: str, description: str, label_id: str) -> Markup:
        return graphics.bar_chart(bars, title=title, description=description,
                                  label_id=label_id, headings=(
                                      self.t("charts.data"), self.t("charts.what"),
                                      self.t("charts.how_many")))

    def figure_charts(self, figures) -> list[Markup]:
        """A chart for each campaign figure that has a series (an editor's numbers)."""
        charts = []
        for index, figure in enumerate(figures):
            if not figure.series:
                continue
            bars = [graphics.Bar(point.label, point.value, self.t.number(
                int(point.value) if float(point.value).is_integer() else point.value))
                for point in figure.series]
            described = ", ".join(f"{b.label}: {b.shown}" for b in bars)
            charts.append(self.chart(bars, f"{figure.value} {figure.label}",
                                     self.t("charts.series", values=described,
                                            source=figure.source),
                                     f"rf-figure-{index + 1}"))
        return charts

    def numbers(self, year, prefix: str) -> list[Markup]:
        """"The month in numbers": partners by state, stories by campaign year, and what the
        year's drives gathered against their goals, drawn from the records themselves."""
        t, site = self.t, self.site
        charts = []
        busiest = sorted(((code, len(r.partners)) for code, r in site.states.items()
                          if r.partners), key=lambda item: (-item[1], self.state_name(item[0])))
        if busiest:
            bars = [graphics.Bar(self.state_name(code), count, t.number(count))
                    for code, count in busiest[:8]]
            charts.append(self.chart(bars, t("charts.partners_title"), t(
                "charts.partners_desc", values=", ".join(f"{b.label}: {b.shown}" for b in bars),
                count=len(busiest)), f"{prefix}-partners"))
        by_year = sorted(site.stories_by_year, key=lambda f: f.label)
        if by_year:
            bars = [graphics.Bar(str(f.label), len(f.items), t.number(len(f.items)))
                    for f in by_year[-8:]]
            charts.append(self.chart(bars, t("charts.stories_title"), t(
                "charts.stories_desc", values=", ".join(f"{b.label}: {b.shown}" for b in bars)),
                f"{prefix}-stories"))
        given = sum(items_received(d) for d in year.drives)
        needed = sum(item.needed for d in year.drives for item in d.items)
        raised = sum(d.raised_amount or 0 for d in year.drives if d.goal_amount)
        goal = sum(d.goal_amount for d in year.drives if d.goal_amount)
        bars = []
        if needed:
            bars += [graphics.Bar(t("charts.items_given"), given, t.number(given)),
                     graphics.Bar(t("charts.items_needed"), needed, t.number(needed))]
        if bars:
            charts.append(self.chart(bars, t("charts.items_title", year=year.campaign.year), t(
                "charts.items_desc", given=t.number(given), needed=t.number(needed)),
                f"{prefix}-items"))
        if goal:
            money = [graphics.Bar(t("charts.raised"), raised, t.money(raised)),
                     graphics.Bar(t("charts.goal"), goal, t.money(goal))]
            charts.append(self.chart(money, t("charts.money_title", year=year.campaign.year), t(
                "charts.money_desc", raised=t.money(raised), goal=t.money(goal)),
                f"{prefix}-money"))
        return charts

    def resource_facets(self) -> list[tuple[str, str, list[Facet]]]:
        site = self.site
        return [("audiences", "resources.by_audience", site.resources_by_audience),
                ("topics", "resources.by_topic", site.resources_by_topic),
                ("formats", "resources.by_format", site.resources_by_format)]

    def resources_section(self, records_from: int = 0) -> tuple[list[Page], list[Asset]]:
        """The resources section's pages and files, made apart from the rest (`render`), but
        the pages of the first `records_from` resources."""
        out = Output()
        return self.resources(out, records_from), out.assets

    def made_apart(self, records_from: int = 0) -> tuple[list[Page], list[Asset],
                                                         dict[str, bytes]]:
        """What the live preview's start has a second process make (`render`): the resources
        section (`resources_section`) and the feeds and calendars (`syndication_files`)."""
        return self.resources_section(records_from) + (self.syndication_files(),)

    def resources(self, out: Output, records_from: int = 0) -> list[Page]:
        """The resources section's pages (the lists, then each resource's page, but the first
        `records_from` resources') and files."""
        site = self.site
        pages = []
        facets = self.resource_facets()
        pages += self.paged("resource_list.html", "resources/", self.t("resources.title"),
                            site.resources, RESOURCES_PER_PAGE, self.t("resources.intro"),
                            order="title", name=lambda r: r.title, facets=facets, page_size=RESOURCES_PER_PAGE,
                            cards_per_file=FILTER_CARDS_PER_FILE,
                            languages=sorted({code for r in site.resources
                                              for code in r.languages}),
                            states=sorted({s for r in site.resources for s in r.states
                                           if s != geography.NATIONAL}))
        for kind, heading, groups in facets:
            for facet in groups:
                label = self.facet_label(kind, facet)
                pages += self.paged("resource_facet.html", f"resources/{kind}/{facet.slug}/",
                                    self.t(heading + "_title", value=label), facet.items,
                                    RESOURCES_PER_PAGE, order="title", name=lambda r: r.title)
        pages += self.resource_pages(site.resources[records_from:])
        rows = self.resource_rows()
        out.add(Asset("resources/index.json", self.resource_index(rows)))
        for asset in self.resource_filter_files(rows):
            out.add(asset)
        return pages

    def resource_pages(self, resources) -> list[Page]:
        """The page of each of `resources`."""
        site = self.site
        pages = []
        for resource in resources:
            page = self.page("resource.html", f"resources/{resource.id}/", resource.title,
                             resource.description, resource=resource)
            page.jsonld = structured.resource(site, resource, self.permalink)
            publisher = site.org_by_id.get(resource.publisher)
            self.record_card(page, "resources", cards.Card(
                self.t("cards.resource", format=self.t(f"formats.{resource.format}")),
                str(resource.title), str(publisher.name) if publisher else "",
                brand=self.brand, footer=self.footer))
            pages.append(page)
        return pages

    def campaign_years(self) -> list[Page]:
        """A page for every June, /2026/ and so on, and /archive/ listing them all."""
        pages = [self.page("archive.html", "archive/", self.t("archive.title"),
                           self.t("archive.intro"), years=self.site.years)]
        for year in self.site.years:
            c = year.campaign
            pages.append(self.page("year.html", f"{c.year}/",
                                   self.t("archive.year_title", name=c.name, year=c.year),
                                   c.tagline or c.theme, year=year,
                                   numbers=self.numbers(year, f"rf-{c.year}"),
                                   figure_charts=self.figure_charts(c.figures)))
        return pages

    def data_page(self) -> Page:
        from reunify.content.load import KINDS
        own = field_descriptions(self.language)

        def fields(path):
            described = data_fields.describe(path)
            if self.language == DEFAULT:
                return described
            kind = data_fields.field_group(path)
            return [(name, own.get(f"{kind}.{name or 'all'}") or Untranslated(meaning))
                    for name, meaning in described]
        files = [(self.shared + path, self.t(f"data.file.{what}"), fields(path))
                 for path, what in data_fields.DATA_FILES]
        return self.page("data.html", "data/", self.t("data.title"), self.t("data.intro"),
                         files=files, license=exports.LICENSE, kinds=KINDS,
                         feeds=[syndication.STORIES_FEED, syndication.RESOURCES_FEED,
                                syndication.CALENDAR])

    def export_files(self) -> dict[str, bytes]:
        return exports.data_files(self.site, self.permalink)

    def exports(self, out: Output, files: dict[str, bytes] | None = None) -> None:
        """The data files, one set for all editions (they carry every translation); `files`,
        if already made."""
        for path, content in (self.export_files() if files is None else files).items():
            out.add(Asset(path, content))

    def syndication(self, out: Output, files: dict[str, bytes] | None = None) -> None:
        """Feeds and calendars, in the edition's language (`files`, if already made)."""
        for path, content in (self.syndication_files() if files is None else files).items():
            out.add(Asset(path, content))

    def syndication_files(self) -> dict[str, bytes]:
        files = {}
        files[syndication.STORIES_FEED] = syndication.stories_feed(self.site, self.permalink,
                                                                   self.t)
        files[syndication.RESOURCES_FEED] = syndication.resources_feed(self.site,
                                                                       self.permalink, self.t)
        files.update(syndication.calendars(self.site, self.permalink, self.host))
        return files

    @property
    def host(self) -> str:
        from urllib.parse import urlsplit
        return urlsplit(self.site_url).netloc or "reunification-hub"

    def redirects(self, out: Output) -> None:
        """Old addresses of renamed records lead to the new ones."""
        site = self.site
        moved = [("stories", s.id, s.meta.previous_ids, s.meta.title) for s in site.stories]
        moved += [("resources", r.id, r.previous_ids, r.title) for r in site.resources]
        moved += [("organizations", o.id, o.previous_ids, o.name) for o in site.organizations]
        moved += [("drives", d.id, d.previous_ids, d.title)
                  for d in site.active_drives + site.past_drives]
        moved += [("events", e.id, e.previous_ids, e.title)
                  for e in site.upcoming_events + site.past_events]
        template = self.env.get_template("redirect.html")
        from reunify.content import editions
        from reunify.outputs import hosting

        prefix = editions.prefix(self.language)
        rules = [(f"{prefix}{kind}/{old}/", f"{prefix}{kind}/{new_id}/")
                 for kind, new_id, previous, _ in moved for old in previous]
        out.add(Asset(hosting.REDIRECTS_FILE, json.dumps(rules).encode("utf-8")))
        for kind, new_id, previous, title in moved:
            for old in previous:
                url = f"{kind}/{old}/"
                target = f"{kind}/{new_id}/"
                self.page_url = url
                html = template.render(page_url=url, target=target, title=title,
                                       absolute=self.permalink(target))
                out.add(Asset(url + "index.html", html.encode("utf-8")))

    def facet_label(self, kind: str, facet: Facet) -> str:
        if kind in ("audiences", "formats"):
            return self.t(f"{kind}.{facet.label}")
        return self.term(facet.label)

    def resource_filter_files(self, rows: list[dict]) -> list[Asset]:
        """What the resource filters fetch when they are used without words, so that a visitor
        never downloads the whole list (at national size 10,000 resources, 550 KB gzipped):

        - `resources/filter/<field>/<value>.json`: the places in the list of the resources with
          that audience, topic, format, language or state, as gaps between places (small
          numbers: each file is a few KB), one file per value offered by the form;
        - `resources/filter/cards/<n>.json`: what the cards show of the resources in places
          n×40 to n×40+39 of the list, so the first matches need a few small files.

        (With words, the filters ask Pagefind, whose index fetches only what the words need.)"""
        site = self.site
        places: dict[tuple[str, str], list[int]] = defaultdict(list)
        for place, r in enumerate(site.resources):
            values = [("formats", r.format)] + [("audiences", a) for a in r.audiences]
            values += [("topics", slugify(t)) for t in r.topics]
            values += [("language", code) for code in r.languages]
            values += [("state", s) for s in r.states]
            for value in dict.fromkeys(values):
                places[value].append(place)
        assets = []
        for (field, value), found in places.items():
            gaps = [found[0]] + [b - a for a, b in zip(found, found[1:])]
            assets.append(Asset(f"resources/filter/{field}/{value}.json", _compact(gaps)))
        for n in range(0, len(rows), FILTER_CARDS_PER_FILE):
            assets.append(Asset(f"resources/filter/cards/{n // FILTER_CARDS_PER_FILE}.json",
                                _compact(rows[n: n + FILTER_CARDS_PER_FILE])))
        return assets

    def resource_rows(self) -> list[dict]:
        """A card's text for every resource, in the list's order (the filters' card files and
        resources/index.json are made from it)."""
        rows = []
        for r in self.site.resources:
            publisher = self.site.org_by_id[r.publisher].name
            row = {"id": r.id, "title": str(r.title), "format": r.format,
                   "publisher": str(publisher), "summary": str(r.description),
                   "audiences": r.audiences, "languages": r.languages}
            if r.year:
                row["year"] = r.year
            if r.file_type:
                row["document"] = r.file_type.upper() + (
                    f", {self.filesize(r.file_size)}" if r.file_size else "")
            # English text in another edition: the card marks it lang="en" as the pages do
            english = [name for name, value in (("title", r.title), ("summary", r.description),
                                                ("publisher", publisher))
                       if isinstance(value, InEnglish)]
            if english:
                row["english"] = english
            rows.append(row)
        return rows

    def resource_index(self, cards: list[dict]) -> bytes:
        """Every resource in a compact list (published since the first hub: kept for those
        who use it; the filters fetch the smaller files above). `cards` are `resource_rows()`."""
        rows = []
        for r, card in zip(self.site.resources, cards):
            row = {"id": r.id, "title": card["title"], "format": r.format,
                   "audiences": r.audiences, "topics": [slugify(t) for t in r.topics],
                   "languages": r.languages, "states": r.states, "publisher": card["publisher"],
                   "year": r.year, "summary": card["summary"][:160]}
            if "english" in card:
                row["english"] = card["english"]
            rows.append(row)
        return _compact(rows)

    def organization_lists(self, states: set[str] | None = None) -> list[Page]:
        """The partners' front page with the map, and each state's page (which show stories
        too, so the preview makes them again when a story changes); with `states`, the front
        page and those states' pages only."""
        site = self.site
        pages = [self.page("organization_list.html", "organizations/",
                           self.t("organizations.title"), self.t("organizations.intro"),
                           state_map=self.state_map("organizations/"),
                           state_codes=self.state_codes(),
                           national=site.national_organizations[:NATIONAL_PREVIEW])]
        if states is not None:
            return pages + [page for code in self.state_codes() if code in states
                            for page in self.state_pages(code)]
        # all the nationwide partners, A to Z, a page at a time: the front page shows a few
        if len(site.national_organizations) > NATIONAL_PREVIEW:
            pages += self.paged("organization_national.html", "organizations/nationwide/",
                                self.t("organizations.national"), site.national_organizations,
                                ORGANIZATIONS_PER_PAGE, order="name", name=lambda o: o.name)
        for code in self.state_codes():
            pages += self.state_pages(code)
        return pages

    def state_pages(self, code: str) -> list[Page]:
        name = self.state_name(code)
        return self.paged("organization_state.html", f"organizations/states/{code.lower()}/",
                          self.t("organizations.state_title", state=name),
                          self.site.states[code].partners, ORGANIZATIONS_PER_PAGE, order="name",
                          name=lambda o: o.name, state=name, records=self.site.states[code],
                          code=code, preview=STATE_PREVIEW,
                          state_map=self.state_map(f"organizations/states/{code.lower()}/",
                                                   current=code))

    def organizations(self, only: set[str] | None = None) -> list[Page]:
        """The partner pages; with `only`, just those partners' own pages."""
        site = self.site
        pages = self.organization_lists() if only is None else []
        drives_by_org, past_by_org, events_by_org = (defaultdict(list), defaultdict(list),
                                                     defaultdict(list))
        for drive in site.active_drives:
            drives_by_org[drive.organization].append(drive)
        for drive in site.past_drives:
            past_by_org[drive.organization].append(drive)
        for event in site.upcoming_events:
            events_by_org[event.organizer].append(event)
        for org in site.organizations:
            if only is not None and org.id not in only:
                continue
            drives, events = drives_by_org[org.id], events_by_org[org.id]
            page = self.page("organization.html", f"organizations/{org.id}/", org.name,
                             org.description, org=org, drives=drives, events=events,
                             past_drives=past_by_org[org.id],
                             resources=site.resources_by_publisher.get(org.id, []),
                             stories=site.stories_by_org.get(org.id, []),
                             news=site.news_by_org.get(org.id, []))
            page.jsonld = structured.organization(org, self.permalink)
            self.record_card(page, "organizations", cards.Card(
                self.t("cards.organization"), str(org.name), ", ".join(
                    self.state_name(code) for code in org.states[:6]) + (
                    "…" if len(org.states) > 6 else ""), brand=self.brand, footer=self.footer))
            pages.append(page)
        return pages

    def current_and_past(self, kind: str, current_name: str, current: list,
                         past: list) -> list[Page]:
        """A section's front page (what is on now, the latest past records), and the full
        lists behind its "see all" links when there are more than it shows."""
        pages = [self.page(f"{kind[:-1]}_list.html", f"{kind}/", self.t(f"{kind}.title"),
                           self.t(f"{kind}.intro"), current=current[:RECORDS_PER_PAGE],
                           past=past[:PREVIEW])]
        for name, records, shown in ((current_name, current, RECORDS_PER_PAGE),
                                     ("past", past, PREVIEW)):
            if len(records) > shown:
                pages += self.paged("record_list.html", f"{kind}/{name}/",
                                    self.t(f"{kind}.{name}"), records, RECORDS_PER_PAGE,
                                    order=LIST_ORDERS[kind, name], record_kind=kind[:-1])
        return pages

    def drives(self) -> list[Page]:
        site = self.site
        pages = self.current_and_past("drives", "active", site.active_drives, site.past_drives)
        ended = set(map(id, site.past_drives))
        for drive in site.active_drives + site.past_drives:
            past = id(drive) in ended
            detail, done = self.drive_progress(drive)
            samples = self.kit.drive_posts(drive, detail) if self.kit and not past else []
            page = self.page("drive.html", f"drives/{drive.id}/", drive.title,
                             drive.description, drive=drive, past=past, share=samples,
                             quote_cards=[])
            self.record_card(page, "drives", cards.Card(
                self.t("cards.drive"), str(drive.title),
                self.t("cards.ended") if past else detail, progress=done,
                brand=self.brand, footer=self.footer))
            pages.append(page)
        return pages

    def drive_progress(self, drive) -> tuple[str, float | None]:
        """What a drive has gathered, in words and as a fraction of its goal."""
        if drive.items:
            received = items_received(drive)
            needed = sum(item.needed for item in drive.items)
            return self.t("cards.items", received=self.t.number(received),
                          needed=self.t.number(needed)), received / needed
        if drive.goal_amount:
            raised = drive.raised_amount or 0
            return self.t("drives.money_progress", raised=self.t.money(raised),
                          goal=self.t.money(drive.goal_amount)), raised / drive.goal_amount
        return "", None

    def events(self) -> list[Page]:
        site = self.site
        pages = self.current_and_past("events", "upcoming", site.upcoming_events,
                                      site.past_events)
        ended = set(map(id, site.past_events))
        for event in site.upcoming_events + site.past_events:
            past = id(event) in ended
            when, where = self.event_when_where(event)
            samples = self.event_posts(event) if self.kit and not past else []
            page = self.page("event.html", f"events/{event.id}/", event.title,
                             event.description, event=event, past=past, share=samples,
                             quote_cards=[])
            page.jsonld = structured.event(site, event, self.permalink)
            self.record_card(page, "events", cards.Card(
                self.t("cards.event"), str(event.title), f"{when} · {where}",
                brand=self.brand, footer=self.footer))
            pages.append(page)
        return pages
