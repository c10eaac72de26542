"""The campaign toolkit: what a partner downloads from /toolkit/ to spread the word, made fresh
by every build from the campaign block, the records and the toolkit's words (`toolkit_text`).

- sample posts for the campaign, each story whose family agreed to social media (consent scope
  `social`), each current drive and each upcoming event;
- quote cards from those stories' pull quotes (1080×1080 and 1200×630), and no others;
- email signature banners, a profile frame and a cover image;
- a sample proclamation, press release, poster with a QR code to the site, planning timeline and
  the story and photo release form (in every language the toolkit is written in), each as a PDF
  and a Word document;
- all of it in one `toolkit-<year>.zip`.

A story without `social` in its consent is never drawn, posted or zipped here, whatever else
its family allowed.
"""
from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from babel import Locale

from reunify.content.toolkit_text import (CONSENT_FIELDS, SCOPES, ToolkitText, campaign_values,
                                          fill)
from reunify.outputs import cards, documents, posts

FOLDER = "toolkit/"
BANNERS = ((300, 80), (600, 160))
COVER = (1500, 500)
FRAME = 800
QUOTES_IN_ZIP = 24  # stories whose quote cards the zip holds (a national hub has a thousand)


def social(story) -> bool:
    return "social" in story.meta.consent.scope


@dataclass
class Download:
    label: str
    path: str  # relative to the edition's root
    size: int
    kind: str  # PDF, Word, PNG, text, ZIP
    width: int = 0  # of a picture, shown on the page
    height: int = 0


@dataclass
class Step:
    when: str
    title: str
    tasks: list[str]


@dataclass
class Kit:
    files: dict[str, bytes | Path] = field(default_factory=dict)
    documents: list[tuple[str, list[Download]]] = field(default_factory=list)
    graphics: list[Download] = field(default_factory=list)
    forms: list[Download] = field(default_factory=list)
    posts: list[posts.Sample] = field(default_factory=list)  # the campaign's own
    timeline: list[Step] = field(default_factory=list)
    archive: Download | None = None
    posts_file: Download | None = None


class Maker:
    """Makes one edition's kit. `words` holds the toolkit's words of every language (for the
    release forms); `language` is this edition's."""

    def __init__(self, site, words: dict[str, ToolkitText], language: str, strings,
                 permalink, cache: cards.Cache, brand: str, footer: str):
        self.site = site
        self.campaign = site.campaign
        self.words = words
        self.language = language
        self.mine = words.get(language) or words["en"]
        self.t = strings
        self.permalink = permalink
        self.cache = cache
        self.brand, self.footer = brand, footer

    # -- placeholders ------------------------------------------------------------------------

    def values(self, t=None) -> dict[str, str]:
        return campaign_values(self.campaign, t or self.t, self.permalink(""))

    def campaign_posts(self) -> list[posts.Sample]:
        return posts.samples(self.mine.posts.campaign,
                             self.values() | {"link": self.permalink("")})

    def story_posts(self, story) -> list[posts.Sample]:
        if not social(story):
            return []
        values = self.values() | {"title": str(story.meta.title),
                                  "link": self.permalink(f"stories/{story.id}/")}
        if not story.meta.quotes:
            values |= {"summary": str(story.meta.summary),
                       "state": self._state(story.meta.state)}
            return posts.samples(self.mine.posts.story_without_quote, values)
        quote = story.meta.quotes[0]
        return posts.samples(self.mine.posts.story,
                             values | {"quote": str(quote.text), "by": str(quote.by)})

    def drive_posts(self, drive, progress: str) -> list[posts.Sample]:
        org = self.site.org_by_id.get(drive.organization)
        values = self.values() | {
            "title": str(drive.title), "organization": str(org.name) if org else "",
            "progress": progress + "." if progress and not progress.endswith(".") else progress,
            "ends_on": self.t.date(drive.ends),
            "link": self.permalink(f"drives/{drive.id}/")}
        return posts.samples(self.mine.posts.drive, values)

    def event_posts(self, event, when: str, where: str) -> list[posts.Sample]:
        values = self.values() | {"title": str(event.title), "when": when, "where": where,
                                  "link": self.permalink(f"events/{event.id}/")}
        return posts.samples(self.mine.posts.event, values)

    def _state(self, code: str) -> str:
        from reunify.content import geography
        return geography.STATES.get(code, code)

    # -- quote cards -------------------------------------------------------------------------

    def quote_cards(self, story) -> list[tuple[str, Path, str]]:
        """(address, cached file, alternative text) of each quote card of a story whose family
        agreed to social media; none for any other story."""
        if not social(story):
            return []
        card = cards.Card("", str(story.meta.title), brand=self.brand, footer=self.footer)
        made = []
        for number, quote in enumerate(story.meta.quotes, 1):
            alt = f"“{quote.text}” — {quote.by}"
            for size in (cards.SQUARE, cards.SHARE):
                path = f"stories/{story.id}/quote-{number}-{size[0]}x{size[1]}.png"
                made.append((path, self.cache.quote(str(quote.text), str(quote.by), card, size),
                             alt))
        return made

    # -- the kit -----------------------------------------------------------------------------

    def make(self, record_posts: list[tuple[str, str, list[posts.Sample]]],
             quote_files: list[tuple[str, Path, str]]) -> Kit:
        """The kit; `record_posts` are (heading, address, samples) of every record with posts,
        `quote_files` every quote card, both already made for the record pages."""
        kit = Kit()
        year = self.campaign.year
        values = self.values()
        kit.posts = self.campaign_posts()
        words = self.mine

        docs = [
            (self.t("toolkit.proclamation"), self.proclamation(words, values, year)),
            (self.t("toolkit.press_release"), self.press_release(words, values, year)),
            (self.t("toolkit.flyer"), self.flyer(words, values, year)),
            (self.t("toolkit.timeline"), self.timeline_doc(words, values, year)),
        ]
        for label, document in docs:
            kit.documents.append((label, self._both(kit, document)))
        for language in sorted(self.words, key=lambda code: (code != self.language, code)):
            form = self.release_form(language, year)
            name = Locale.parse(language).get_display_name(self.t.locale)
            for download in self._both(kit, form):
                download.label = f"{name[:1].upper()}{name[1:]}"
                kit.forms.append(download)

        graphics = [(self.t("toolkit.banner", width=w, height=h),
                     f"email-banner-{w}x{h}.png", (w, h),
                     lambda w=w, h=h: cards.draw_banner(self.brand, str(self.campaign.theme),
                                                        self.footer, (w, h)))
                    for w, h in BANNERS]
        graphics.append((self.t("toolkit.cover", width=COVER[0], height=COVER[1]),
                         f"cover-{COVER[0]}x{COVER[1]}.png", COVER,
                         lambda: cards.draw_banner(self.brand, str(self.campaign.theme),
                                                   self.footer, COVER)))
        graphics.append((self.t("toolkit.frame", size=FRAME), f"profile-frame-{FRAME}.png",
                         (FRAME, FRAME), lambda: cards.draw_frame(self.brand, FRAME)))
        for label, name, (width, height), make in graphics:
            path = self.cache.picture(f"{name}:{self.brand}:{self.campaign.theme}:{self.footer}",
                                      make)
            kit.files[FOLDER + name] = path
            kit.graphics.append(Download(label, FOLDER + name, path.stat().st_size, "PNG",
                                         width, height))

        text = self.posts_text(kit.posts, record_posts)
        name = f"posts-{year}.txt"
        kit.files[FOLDER + name] = text
        kit.posts_file = Download(self.t("toolkit.posts_file"), FOLDER + name, len(text), "text")
        kit.timeline = self.timeline(words, values)

        archive = self.archive(kit, quote_files)
        name = f"toolkit-{year}.zip"
        kit.files[FOLDER + name] = archive
        kit.archive = Download(self.t("toolkit.zip", year=year), FOLDER + name, len(archive),
                               "ZIP")
        return kit

    def _both(self, kit: Kit, document: documents.Document) -> list[Download]:
        made = []
        for kind, suffix, make in (("PDF", "pdf", documents.pdf), ("Word", "docx",
                                                                    documents.docx)):
            key = hashlib.sha256(repr((suffix, document)).encode()).hexdigest()
            path = self.cache.document(key, suffix, lambda: make(document))
            address = f"{FOLDER}{document.name}.{suffix}"
            kit.files[address] = path
            made.append(Download(kind, address, path.stat().st_size, kind))
        return made

    def proclamation(self, words, values, year) -> documents.Document:
        p = words.proclamation
        blocks = [documents.Block("title", fill(p.title, values))]
        blocks += [documents.Block("p", fill(text, values)) for text in p.whereas]
        blocks.append(documents.Block("p", fill(p.resolved, values)))
        if p.signature:
            blocks.append(documents.Block("lines", items=[fill(s, values) for s in p.signature]))
        return documents.Document(f"proclamation-{year}", fill(p.title, values),
                                  self.language, blocks)

    def press_release(self, words, values, year) -> documents.Document:
        p = words.press_release
        blocks = [documents.Block("title", fill(p.headline, values)),
                  documents.Block("subtitle", fill(p.summary, values))]
        blocks += [documents.Block("p", fill(text, values)) for text in p.paragraphs]
        blocks += [documents.Block("h2", self.t("toolkit.about", host=values["host"])),
                   documents.Block("p", fill(p.about, values))]
        return documents.Document(f"press-release-{year}", fill(p.headline, values),
                                  self.language, blocks)

    def flyer(self, words, values, year) -> documents.Document:
        f = words.flyer
        blocks = [documents.Block("title", fill(f.heading, values)),
                  documents.Block("p", fill(f.text, values)),
                  documents.Block("big", fill(f.call, values))]
        site = self.permalink("")
        if site.startswith(("http://", "https://")):
            blocks.append(documents.qr_blocks(site, self.t("toolkit.qr_alt", url=site)))
        blocks.append(documents.Block("p", f"{values['name']} {values['year']} · "
                                           f"{values['hashtag']}"))
        return documents.Document(f"poster-{year}", fill(f.heading, values), self.language,
                                  blocks, poster=True)

    def timeline(self, words, values) -> list[Step]:
        c = self.campaign
        steps = []
        for step in words.timeline:
            if step.weeks_before:
                when = self.t("toolkit.week_of", date=self.t.date(
                    c.starts - timedelta(weeks=step.weeks_before)))
                when = self.t("toolkit.weeks_before", count=step.weeks_before) + " · " + when
            elif step.during:
                when = values["dates"]
            else:
                when = self.t("toolkit.weeks_after", count=step.weeks_after) + " · " + \
                    self.t("toolkit.week_of", date=self.t.date(
                        c.ends + timedelta(weeks=step.weeks_after)))
            steps.append(Step(when, fill(step.title, values),
                              [fill(task, values) for task in step.tasks]))
        return steps

    def timeline_doc(self, words, values, year) -> documents.Document:
        title = self.t("toolkit.timeline_title", name=values["name"], year=year)
        blocks = [documents.Block("title", title)]
        for step in self.timeline(words, values):
            blocks += [documents.Block("h2", f"{step.title}: {step.when}"),
                       documents.Block("ul", items=step.tasks)]
        return documents.Document(f"timeline-{year}", title, self.language, blocks)

    def release_form(self, language: str, year: int) -> documents.Document:
        """The release form, its questions in the order of the consent block's fields and its
        boxes one per consent scope (`toolkit_text.ReleaseForm` checks that they match)."""
        from reunify.site.strings import Strings

        t = Strings(language)
        values = self.values(t)
        form = self.words[language].release_form
        blocks = [documents.Block("title", fill(form.title, values))]
        blocks += [documents.Block("p", fill(text, values)) for text in form.intro]
        for name in CONSENT_FIELDS:
            blocks.append(documents.Block("h2", fill(form.fields[name], values)))
            if name == "scope":
                blocks.append(documents.Block("checks", items=[fill(form.scopes[scope], values)
                                                               for scope in SCOPES]))
            elif name == "image":
                blocks.append(documents.Block("checks", items=[t("toolkit.yes"),
                                                               t("toolkit.no")]))
            else:
                blocks.append(documents.Block("lines", items=["____ / ____ / ________"]))
        if form.signature:
            blocks.append(documents.Block("lines", items=[fill(s, values)
                                                          for s in form.signature]))
        return documents.Document(f"release-form-{year}-{language}", fill(form.title, values),
                                  language, blocks)

    def posts_text(self, campaign: list[posts.Sample],
                   record_posts: list[tuple[str, str, list[posts.Sample]]]) -> bytes:
        lines = [f"{self.campaign.name} {self.campaign.year}: {self.t('toolkit.posts_title')}",
                 ""]

        def add(heading, samples):
            lines.extend(["=" * 72, heading, ""])
            for sample in samples:
                label = self.t(f"toolkit.form_{sample.form}",
                               platforms=", ".join(posts.PLATFORMS[sample.form]))
                lines.extend([f"[{label}]", sample.text, ""])

        add(self.t("toolkit.campaign_posts"), campaign)
        for heading, address, samples in record_posts:
            add(f"{heading} ({self.permalink(address)})", samples)
        return "\n".join(lines).encode("utf-8")

    def archive(self, kit: Kit, quote_files: list[tuple[str, Path, str]]) -> bytes:
        """One zip of the kit; the dates inside are the campaign's first day, so the same kit
        gives the same file."""
        stamp = (self.campaign.starts.year, self.campaign.starts.month, 1, 0, 0, 0)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            entries = [(path[len(FOLDER):], source) for path, source in kit.files.items()]
            entries += [("quote-cards/" + path.replace("stories/", "").replace("/", "-"),
                         source) for path, source, _ in quote_files]
            for name, source in entries:
                data = source if isinstance(source, bytes) else source.read_bytes()
                info = zipfile.ZipInfo(name, stamp)
                info.compress_type = zipfile.ZIP_DEFLATED if name.endswith(
                    (".txt", ".docx")) else zipfile.ZIP_STORED
                archive.writestr(info, data)
        return out.getvalue()
