"""Stage 2: checks that span records: references, date order, consent and privacy.

Records that fail a check that would break a page (a missing organisation, say) are reported
as errors; the build stops before anything is written.
"""
from __future__ import annotations

import difflib
import html
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit


from reunify.content import editions, geography, privacy

from reunify.outputs import images
from reunify.content.load import Content, StoryFile
from reunify.content.problems import Problems
from reunify.content.sanitize import (address_problems, markdown_to_html, raw_html,
                                      remember, rendered)
from reunify.site.strings import LOCALES, catalogue_problems, field_descriptions
from reunify.content.yamlsource import read_text
from reunify.engine import processes

IMAGE_TYPES = {".jpg", ".jpeg", ".png", ".webp", ".avif"}

def _check_references(content: Content, problems: Problems) -> None:
    orgs = {org.id for org in content.organizations}
    refs = [("resources", r.id, "publisher", r.publisher) for r in content.resources]
    refs += [("drives", d.id, "organization", d.organization) for d in content.drives]
    refs += [("events", e.id, "organizer", e.organizer) for e in content.events]
    refs += [("stories", s.id, "organization", s.meta.organization) for s in content.stories]
    if content.unreadable:
        return  # resources.yaml could not be read: its one syntax error says what is wrong
    for kind, record_id, name, target in refs:
        if target not in orgs and ("organizations", target) not in content.rejected:
            file, line, column = content.where(kind, record_id, name)
            guess = difflib.get_close_matches(target, orgs, n=1, cutoff=0.6)
            problems.add(file, line, column,
                         f"expected the id of an organisation in resources.yaml, found {target!r}",
                         record=record_id, field=name,
                         hint=f"did you mean `{guess[0]}`?" if guess else
                         "add the organisation to resources.yaml first, or check the id there")


def _check_order(content: Content, problems: Problems) -> None:
    spans = [("drives", d.id, d.starts, d.ends) for d in content.drives]
    spans += [("events", e.id, e.starts, e.ends) for e in content.events]
    for kind, record_id, starts, ends in spans:
        if ends < starts:
            file, line, column = content.where(kind, record_id, "ends")
            problems.add(file, line, column,
                         f"expected an end on or after the start ({starts}), found {ends}",
                         record=record_id, field="ends", hint="check the month and year")
    campaign = content.campaign
    if campaign and campaign.ends < campaign.starts:
        problems.add(content.root / "resources.yaml", None, None,
                     f"expected an end on or after the start ({campaign.starts}), "
                     f"found {campaign.ends}", record="campaign", field="ends")


def _check_events(content: Content, problems: Problems) -> None:
    for event in content.events:
        if event.place is None and event.online_url is None:
            file, line, column = content.where("events", event.id)
            problems.add(file, line, column, "expected a `place` or an `online_url`, found "
                         "neither", record=event.id, field="place",
                         hint="say where people go, or give the link to join online")


# Addresses the generator uses for its own index pages; a record with such an id would hide one.
RESERVED_IDS = {"stories": {"themes", "years", "page"},
                "resources": {"audiences", "topics", "formats", "page", "filter"},
                "organizations": {"states", "nationwide"}, "drives": {"active", "past", "page"},
                "events": {"upcoming", "past", "page"}}


def _check_previous_ids(content: Content, problems: Problems) -> None:
    """An old id must not be in use, so that its address can keep redirecting."""
    for kind in ("organizations", "resources", "drives", "events", "stories"):
        records = content.stories if kind == "stories" else getattr(content, kind)
        current = {record.id for record in records}
        claimed: dict[str, str] = {}
        for record in records:
            previous = record.meta.previous_ids if kind == "stories" else record.previous_ids
            for index, old in enumerate(previous):
                clash = "a current record" if old in current else claimed.get(old)
                if old in RESERVED_IDS.get(kind, ()):
                    clash = "the site's own pages"
                if clash:
                    file, line, column = content.where(kind, record.id, "previous_ids", index)
                    problems.add(file, line, column, f"the old id {old!r} is also used by "
                                 f"{clash}; one address cannot lead to two records",
                                 record=record.id, field=f"previous_ids[{index}]",
                                 hint="remove it from one of them")
                claimed[old] = f"record {record.id}"


def _check_reserved(content: Content, problems: Problems) -> None:
    for (kind, record_id) in content.located:
        if record_id in RESERVED_IDS.get(kind, ()):
            file, line, column = content.where(kind, record_id, "id")
            problems.add(file, line, column, f"the id {record_id!r} is reserved for the site's "
                         f"own {kind} pages", record=record_id, field="id",
                         hint="choose a more specific id")


def _url_fields(value, path=()):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _url_fields(inner, path + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _url_fields(inner, path + (index,))
    elif isinstance(value, str) and path and isinstance(path[-1], str) and \
            (path[-1] in ("url", "website") or path[-1].endswith("_url")):
        yield path, value


def _plain_http(record) -> list[tuple[tuple, str]]:
    """The record's web addresses that start with http://; most records have none, and a
    record is immutable, so the live preview asks once per record, not on every save."""
    found = _HTTP_SEEN.get(id(record))
    if found is None or found[0] is not record:
        data = record.model_dump() if "http://" in record.model_dump_json() else {}
        found = _HTTP_SEEN[id(record)] = (record, [(path, url) for path, url in _url_fields(data)
                                                   if url.startswith("http://")])
    return found[1]


_HTTP_SEEN: dict[int, tuple] = {}


def _check_insecure_links(content: Content, problems: Problems) -> None:
    if len(_HTTP_SEEN) > 4 * (len(content.located) + 1000):
        _HTTP_SEEN.clear()  # records of earlier previews
    records = [(kind, record, record) for kind in
               ("organizations", "resources", "drives", "events")
               for record in getattr(content, kind)]
    records += [("stories", story, story.meta) for story in content.stories]
    for kind, record, model in records:
        doc, base = content.located[(kind, record.id)]
        for path, url in _plain_http(model):
            if url.startswith("http://"):
                line, column = doc.where(base + path)
                problems.warn(doc.file, line, column,
                              f"expected a secure address (https://), found {url!r}",
                              record=record.id, field=".".join(map(str, path)),
                              hint="most sites also answer on https://; check and change it")


def consent_problem(story: StoryFile, today: date) -> str | None:
    """Why a story may not be published today, or None if it may. A build may be told a date
    (`--today`, $REUNIFY_TODAY) to show the site as it will be, but never one that brings
    back a story whose consent has run out by the real date."""
    consent = story.meta.consent
    if "web" not in consent.scope:
        return "its consent does not cover the web (scope: " + ", ".join(consent.scope) + ")"
    if consent.obtained > today:
        return (f"its consent is dated {consent.obtained}, after today"
                + (" (is the year a typo?)" if consent.obtained.year > today.year else ""))
    if consent.expires <= max(today, date.today()):
        return f"its consent expired on {consent.expires}"
    return None


def image_allowed(story: StoryFile) -> bool:
    return story.meta.image is not None and story.meta.consent.image


def _check_story(story: StoryFile, content: Content, today: date, problems: Problems,
                 strict: bool, known: privacy.KnownNames) -> None:
    reason = consent_problem(story, today)
    if reason:
        file, line, column = content.where("stories", story.id, "consent")
        report = problems.add if strict else problems.warn
        report(file, line, column, f"this story will not be published: {reason}",
               record=story.id, field="consent",
               hint="record renewed consent from the family, or remove the story")
    image = story.meta.image
    if image is not None:
        file, line, column = content.where("stories", story.id, "image", "src")
        folder = story.file.parent.resolve()
        target = (folder / image.src).resolve()
        if folder not in target.parents or target.suffix.lower() not in IMAGE_TYPES:
            problems.add(file, line, column,
                         f"expected a .jpg, .png, .webp or .avif file inside {folder.name}/, "
                         f"found {image.src!r}", record=story.id, field="image.src")
        elif not target.is_file():
            problems.add(file, line, column, f"the image file {image.src!r} does not exist",
                         record=story.id, field="image.src",
                         hint=f"put the image in {folder.name}/ or correct the name")
        elif images.problem(target):
            problems.add(file, line, column, images.problem(target), record=story.id,
                         field="image.src", hint="export the photo again as a JPEG or PNG")
        if not story.meta.consent.image:
            file, line, column = content.where("stories", story.id, "consent")
            problems.warn(file, line, column, "the image will not be shown: the family's "
                          "consent does not include the image", record=story.id,
                          field="consent.image", hint="set `image: true` under consent only "
                          "once the family has agreed in writing")
    _check_privacy(story, content, problems, known)
    _check_addresses(story.file, story.body, story.body_line, problems, story.id)
    for own in story.translations.values():
        _check_addresses(own.file, own.body, own.body_line, problems, story.id)


def _story_fields(story: StoryFile, content: Content):
    """(file, field, text, line, kind) for every field of a story and its translations that is
    published or makes an address; kind is "markdown" (the body), "text" or "address"."""
    meta = story.meta

    def at(kind, *path):
        return content.where(kind, story.id, *path)[1]

    yield story.file, "file name", story.id, None, "address"
    for i, old in enumerate(meta.previous_ids):
        yield story.file, f"previous_ids[{i}]", old, at("stories", "previous_ids", i), "address"
    yield story.file, "title", meta.title, at("stories", "title"), "text"
    yield story.file, "summary", meta.summary, at("stories", "summary"), "text"
    for i, theme in enumerate(meta.themes):
        yield story.file, f"themes[{i}]", theme, at("stories", "themes", i), "text"
    for i, quote in enumerate(meta.quotes):
        yield story.file, f"quotes[{i}].text", quote.text, at("stories", "quotes", i, "text"), "text"
        yield story.file, f"quotes[{i}].by", quote.by, at("stories", "quotes", i, "by"), "text"
    if meta.image is not None:
        yield story.file, "image.alt", meta.image.alt, at("stories", "image", "alt"), "text"
    if meta.credit:
        yield story.file, "credit", meta.credit, at("stories", "credit"), "text"
    yield story.file, "body", story.body, story.body_line, "markdown"
    for language, own in story.translations.items():
        kind, text = f"stories.{language}", own.meta
        for name in ("title", "summary", "image_alt", "credit"):
            if getattr(text, name):
                yield own.file, name, getattr(text, name), at(kind, name), "text"
        for i, quote in enumerate(text.quotes):
            yield own.file, f"quotes[{i}].text", quote.text, at(kind, "quotes", i, "text"), "text"
            yield own.file, f"quotes[{i}].by", quote.by, at(kind, "quotes", i, "by"), "text"
        yield own.file, "body", own.body, own.body_line, "markdown"


def known_names(content: Content) -> privacy.KnownNames:
    """Organisations', programmes' and resources' names and the campaign's terms: capitalised
    words in them are not taken for people's names ("Campus of Hope and Healing")."""
    phrases = [org.name for org in content.organizations]
    phrases += [text.name for org in content.organizations
                for text in org.translations.values() if text.name]
    phrases += [resource.title for resource in content.resources]
    phrases += [text.title for resource in content.resources
                for text in resource.translations.values() if text.title]
    for campaign in [content.campaign, *content.archives]:
        if campaign is not None:
            phrases += [campaign.name, campaign.theme, campaign.tagline, campaign.host,
                        campaign.hashtag.lstrip("#")]
            phrases += [value for text in campaign.translations.values()
                        for value in (text.name, text.theme, text.tagline)]
    phrases += list(geography.STATES.values())
    phrases += [term for terms in content.terms.values() for pair in terms.items()
                for term in pair]
    return privacy.known_names(tuple(phrase for phrase in phrases if phrase))


# What the privacy check found in each field, by everything the finding depends on: the same
# field gives the same answer, so a preview re-checks only what changed.
_FOUND: dict[tuple, tuple] = {}
_FOUND_MOST = 50_000


def _findings(text: str, kind: str, names: tuple[str, ...], exceptions: frozenset[str],
              known) -> tuple[tuple[privacy.Finding, ...], tuple[privacy.Finding, ...]]:
    """(errors, warnings) for one field."""
    key = (text, kind, names, exceptions, known)
    found = _FOUND.get(key)
    if found is None:
        found = _find(*key)
        if len(_FOUND) >= _FOUND_MOST:
            _FOUND.clear()
        _FOUND[key] = found
    return found


def _find(text: str, kind: str, names: tuple[str, ...], exceptions: frozenset[str], known):
    if kind == "address":
        words = text.replace("-", " ")
        return (tuple(privacy.private_details(words, names)),
                tuple(privacy.likely_names_in_slug(text, exceptions)))
    # a plain field is read as if it were HTML: stricter than the page, which shows
    # `J&#97;yden` literally, never laxer
    shown = privacy.shown(markdown_to_html(text) if kind == "markdown" else text)
    return (tuple(privacy.private_details(shown, names)),
            tuple(privacy.likely_names(shown, known, exceptions)))


def _body_line(body: str, first_line: int, found: str) -> int:
    """The line of the body where `found` is shown: each line (then each pair of lines)
    rendered on its own, as the check reads the whole body."""
    target = privacy.fold_word(found).strip()
    lines = body.split("\n")
    for width in (1, 2, 3):
        for index in range(len(lines) - width + 1):
            chunk = "\n".join(lines[index:index + width])
            if target and chunk.strip() and target in privacy.fold_word(
                    privacy.shown(markdown_to_html(chunk))):
                return first_line + index
    return first_line


_PRIVACY_HINT = ("remove it or replace it with a role, e.g. 'a mother in Alabama'; if it is "
                 "safe and meant (an agency's public helpline), list it under "
                 "privacy_exceptions")
_NAME_HINT = ("if it is someone's name, replace it with a role, e.g. 'her son'; if it is not a "
              "person (a place, a programme), add it to privacy_exceptions")


def _source_line(text: str, first_line: int, address: str) -> int:
    for index, line in enumerate(text.split("\n")):
        if address in line or html.escape(address, quote=False) in line:
            return first_line + index
    return first_line


def _check_addresses(file, text: str, first_line: int, problems: Problems,
                     record: str | None = None) -> None:
    """Links and images in Markdown that the sanitiser would remove, reported where they are."""
    if "](" not in text and "<" not in text and "]:" not in text:
        return
    try:
        found = address_problems(raw_html(text))
    except RecursionError:
        return  # reported where the text is rendered (`_too_deep`)
    for address, problem in found:
        line = _source_line(text, first_line, address)
        field = "body" if record else None
        if problem.startswith("the image"):  # left out of the page, which still builds
            problems.warn(file, line, None, f"{problem}, so it is left out: {address!r}",
                          record=record, field=field,
                          hint="put the image in the site's files and link to it there")
        else:
            problems.add(file, line, None, f"{problem}: {address!r}", record=record,
                         field=field, hint="give the plain address, e.g. https://example.org/"
                                           "… or mailto:someone@example.org")


# The site's own sections: a hand-written page at one of these addresses would hide them.
GENERATED_SECTIONS = {"stories", "resources", "organizations", "drives", "events", "news",
                      "archive", "data", "feeds", "search", "pagefind", "assets"}


def _page_address(page: Path, folder: Path) -> str:
    """The first folder of a page's address: 'es' for es.md and es/index.md."""
    parts = page.relative_to(folder).with_suffix("").parts
    if parts[-1] in ("index", "README"):
        parts = parts[:-1]
    return parts[0] if parts else ""


def check_pages(root: Path, problems: Problems) -> None:
    """The hand-written pages and home page texts of every edition: their links and images,
    and addresses that the site's own pages or another edition have."""
    languages = editions.languages(root)
    for language in languages:
        folder = editions.pages_dir(root, language)
        files = sorted(folder.rglob("*.md")) if folder.is_dir() else []
        for page in files:
            top = _page_address(page, folder)
            if top in languages or top in GENERATED_SECTIONS or re.fullmatch(r"\d{4}", top):
                what = f"the {editions.language_name(top)} edition" if top in languages else \
                    "the site's own pages"
                problems.add(page, None, None, f"this page would be published at /{top}/, "
                             f"which is where {what} is", hint="rename the file")
        files.append(editions.home_intro(root, language))
        for file in files:
            text = read_text(file, problems) if file.is_file() else None
            if text is not None:
                try:
                    raw_html(text)
                except RecursionError:
                    _too_deep(problems, file, 1)
                    continue
                _check_addresses(file, text, 1, problems)


_EXAMPLE_HOSTS = re.compile(r"(?:^|\.)(?:example\.(?:org|com|net)|example|invalid|test|"
                            r"localhost)$")


def check_site_address(root: Path, problems: Problems) -> None:
    """Permanent links, feeds, the sitemap and share cards are made from `site_url`: a site
    published with the example address points readers and agencies nowhere."""
    for language in editions.languages(root):
        config = editions.config_file(root, language)
        text = read_text(config, problems) if config.exists() else None
        match = re.search(r"(?m)^site_url:[ \t]*['\"]?(\S+?)['\"]?[ \t]*$", text or "")
        host = urlsplit(match[1]).hostname or "" if match else ""
        if match and _EXAMPLE_HOSTS.search(host):
            line = text[:match.start()].count("\n") + 1
            problems.warn(config, line, 1, f"the site's address is still the example one "
                          f"({match[1]}): permanent links, feeds, the sitemap and share cards "
                          "would point there", field="site_url", category="setup",
                          hint="before publishing, write the real address, e.g. "
                               "https://reunification.yourorg.org/" +
                               ("" if language == editions.DEFAULT else f"{language}/"))


def _too_deep(problems: Problems, file, line, record=None, field=None) -> None:
    problems.add(file, line, None, "the text is nested too deeply to be shown (lists or "
                 "quotes inside each other, hundreds of levels)", record=record, field=field,
                 hint="use at most a few levels of lists and quotes")


def _privacy_inputs(story: StoryFile, known: privacy.KnownNames) -> tuple:
    """(names, exceptions, known names) that the privacy check of a story's fields reads."""
    names = tuple(story.meta.private_names)
    exceptions = frozenset(privacy.fold_word(text).strip()
                           for text in story.meta.privacy_exceptions)
    # an exception may be a phrase ("Campus of Hope and Healing") as well as a word ("Hope")
    return names, exceptions, (known, privacy.known_names(tuple(story.meta.privacy_exceptions)))


# Fewer fields than this to check are checked in one process (a fork costs more than it saves)
FORK_FIELDS = 2_000
# Of every three fields, the second process checks two: this one also runs the other checks
# meanwhile (at national size 0.55 s of them beside 1.6 s of the stories' fields), so that
# both end together
PARENT_SHARE = 3


class _Finding:
    """The privacy check of every story field not yet checked: where a second processor is
    free, a forked child checks two fields of every three while this process runs the other
    checks (`check`) and then checks the rest (`finish`); what the child found is kept here as
    if found here (`_FOUND`), so that the stories' check that follows, and a preview's later
    saves, find every answer. (A national hub's 1,333 stories and translations: the check
    3.4 s -> 2.9 s in two processes; the other checks beside them, 1.5 s -> 1.2 s.)"""

    def __init__(self, content: Content, known: privacy.KnownNames):
        keys = []
        for story in content.stories:
            inputs = _privacy_inputs(story, known)
            keys += [(text, kind, *inputs) for _, _, text, _, kind in _story_fields(story, content)]
        keys = [key for key in dict.fromkeys(keys) if key not in _FOUND]
        self.ours, self.theirs, self.child = keys, [], None
        if len(keys) < FORK_FIELDS or not processes.can_fork():
            return
        self.ours = keys[0::PARENT_SHARE]
        self.theirs = [key for i, key in enumerate(keys) if i % PARENT_SHARE]
        theirs = self.theirs

        def check_theirs():
            found = [_found_or_none(key) for key in theirs]
            # and the stories as it rendered them, for the pages and the kept renderings
            # (`sanitize._Kept`), which would otherwise lose them
            return found, rendered([key[0] for key in theirs if key[1] == "markdown"])

        self.child = processes.fork(check_theirs)

    def finish(self) -> None:
        """Check this process's share, and keep what the child found (`check` stops the
        child, `kill`, whatever happens)."""
        if self.child is None:
            return  # the stories' check finds every answer itself
        for key in self.ours:
            _found_or_none(key)
        try:
            found, stories = self.child.join()
        except processes.ChildError:
            return  # the check below finds the rest itself
        remember(stories)
        for key, result in zip(self.theirs, found):
            if result is not None and len(_FOUND) < _FOUND_MOST:
                _FOUND[key] = result

    def kill(self) -> None:
        if self.child is not None:
            self.child.kill()


def _found_or_none(key: tuple):
    try:
        return _findings(*key)
    except RecursionError:
        return None  # reported by the check, which meets it again


def _check_privacy(story: StoryFile, content: Content, problems: Problems,
                   known: privacy.KnownNames) -> None:
    names, exceptions, known = _privacy_inputs(story, known)
    for file, field, text, line, kind in _story_fields(story, content):
        try:
            errors, warnings = _findings(text, kind, names, exceptions, known)
        except RecursionError:
            _too_deep(problems, file, line, story.id, field)
            continue
        # a listed name is reported once, not again as a likely one
        warnings = [w for w in warnings if not any(
            e.start <= w.start < e.start + len(e.found) for e in errors)]
        for finding, report in [(f, problems.add) for f in errors] + \
                [(f, problems.warn) for f in warnings]:
            if privacy.fold_word(finding.found).strip() in exceptions:
                continue
            where = _body_line(text, line, finding.found) if kind == "markdown" else line
            if finding.what == "a likely personal name":
                report(file, where, None, f"{finding.found!r} looks like a person's name; "
                       "nobody may be named in a story", record=story.id, field=field,
                       hint=_NAME_HINT)
            else:
                report(file, where, None, f"the story shows {finding.what} "
                       f"({finding.found!r}), which could identify the family",
                       record=story.id, field=field, hint=_PRIVACY_HINT)


FEED_FAILING_DAYS = 7


def _check_feeds(content: Content, today: date, problems: Problems) -> None:
    feeds = (content.news or {}).get("feeds", {})
    for org in content.organizations:
        state = feeds.get(org.id) or {}
        since = state.get("failing_since")
        if org.feed_url and since and (today - date.fromisoformat(since[:10])).days > \
                FEED_FAILING_DAYS:
            file, line, column = content.where("organizations", org.id, "feed_url")
            problems.warn(file, line, column, f"the feed has failed since {since[:10]}: "
                          f"{state.get('error')}", record=org.id, field="feed_url",
                          hint="check the address on the partner's site, or remove feed_url")


STALE_AFTER_DAYS = 365


def is_stale(record, today: date) -> bool:
    """Not verified for over 12 months: links and details may have changed."""
    return (today - record.last_verified).days > STALE_AFTER_DAYS


def report_stale(content: Content, today: date, problems: Problems) -> None:
    for kind in ("organizations", "resources"):
        for record in getattr(content, kind):
            if is_stale(record, today):
                file, line, column = content.where(kind, record.id, "last_verified")
                problems.warn(file, line, column,
                              f"not verified since {record.last_verified}, over 12 months ago",
                              record=record.id, field="last_verified",
                              hint="check the details and link, then set today's date")


# (field of `translations`, the English list it follows) for records with translated lists
_LISTS = {"campaign": (("figures", lambda c: c.figures),),
          "organizations": (("services", lambda r: r.services),),
          "drives": (("items", lambda r: r.items),)}


def _check_translations(content: Content, problems: Problems) -> None:
    """Translations name an edition that exists and never have more entries than the English."""
    languages = editions.languages(content.root)
    records = [("campaign", "campaign", content.campaign)] if content.campaign else []
    records += [(kind, r.id, r) for kind in ("organizations", "resources", "drives", "events")
                for r in getattr(content, kind)]
    for kind, record_id, record in records:
        for language, text in record.translations.items():
            if language not in languages:
                file, line, column = content.where(kind, record_id, "translations", language)
                problems.warn(file, line, column, f"there is no {editions.language_name(language)} "
                              f"edition of the site, so this translation is not shown",
                              record=record_id, field=f"translations.{language}",
                              hint=f"add mkdocs.{language}.yml (see README, 'Adding a "
                                   f"language'), or check the language code")
            for name, english_of in _LISTS.get(kind, ()):
                english, translated = english_of(record), getattr(text, name)
                if len(translated) > len(english):
                    file, line, column = content.where(kind, record_id, "translations",
                                                       language, name, len(english))
                    problems.add(file, line, column,
                                 f"expected at most {len(english)} entries, one for each of the "
                                 f"English {name}, found {len(translated)}", record=record_id,
                                 field=f"translations.{language}.{name}",
                                 hint=f"keep the English order; remove the extra entries")
    for story in content.stories:
        for language, own in story.translations.items():
            where = f"stories.{language}"
            if language not in languages:
                problems.warn(own.file, 1, None, f"there is no {editions.language_name(language)} "
                              "edition of the site, so this translation is not shown",
                              record=story.id, hint="check the language code in the file name")
            if len(own.meta.quotes) > len(story.meta.quotes):
                file, line, column = content.where(where, story.id, "quotes",
                                                   len(story.meta.quotes))
                problems.add(file, line, column,
                             f"expected at most {len(story.meta.quotes)} quotes, one for each "
                             f"quote of the original story, found {len(own.meta.quotes)}",
                             record=story.id, field="quotes",
                             hint="a translation says what the original says; remove the extra")
            if own.meta.image_alt and story.meta.image is None:
                file, line, column = content.where(where, story.id, "image_alt")
                problems.warn(file, line, column, "the original story has no image, so this "
                              "text is not used", record=story.id, field="image_alt")


def _report_field_descriptions(language: str, name: str, problems: Problems) -> None:
    from reunify.content.data_fields import DATA_FILES, describe, field_group

    own = field_descriptions(language)
    groups = {field_group(path): path for path, _ in DATA_FILES}
    wanted = [f"{group}.{field or 'all'}" for group, path in groups.items()
              for field, _ in describe(path)]
    missing = [key for key in dict.fromkeys(wanted) if not own.get(key)]
    if missing:
        problems.warn(LOCALES / f"fields.{language}.yaml", None, None,
                      f"data fields not yet described in {name}: " + ", ".join(missing),
                      category="translation", group=(language, "fields"),
                      hint="add `<file>.<field>: text` lines; until then the Data page shows "
                           "the English meaning, marked as English")


def report_untranslated(content: Content, problems: Problems) -> None:
    """Warnings, one per record and page, for every text not yet in each edition's language."""
    from reunify.site.localize import missing

    if content.unreadable:
        return  # every record would count as untranslated
    root = content.root
    for language in editions.languages(root)[1:]:
        name = editions.language_name(language)
        hint = (f"until then the English text is shown on /{language}/, marked as English")
        for item in missing(content, language):
            if item.kind == "stories" and (f"stories.{language}", item.record_id) in \
                    content.rejected:
                continue  # the translation exists; its errors are reported
            if item.kind == "stories":
                story = next(s for s in content.stories if s.id == item.record_id)
                problems.warn(story.file, None, None, f"no {name} translation of this story",
                              record=item.record_id, category="translation",
                              group=(language, "stories"),
                              hint=f"write it in stories/{item.record_id}.{language}.md (see "
                                   f"README, 'The Spanish edition'); {hint}")
            elif item.kind == "terms":
                problems.warn(root / "resources.yaml", None, None,
                              f"topics and themes not yet in {name}: " + ", ".join(item.fields),
                              record="terms", field=language, category="translation",
                              group=(language, "terms"),
                              hint=f"add them under `terms: {language}:` as `english: "
                                   f"translation`; {hint}")
            else:
                file, line, column = content.where(item.kind, item.record_id)
                problems.warn(file, line, column, f"not yet translated into {name}: "
                              + ", ".join(item.fields), record=item.record_id,
                              category="translation", group=(language, item.kind),
                              hint=f"add them under `translations: {language}:`; {hint}")
        english_pages = editions.pages_dir(root, editions.DEFAULT)
        own_pages = editions.pages_dir(root, language)
        pages = [(page, own_pages / page.relative_to(english_pages))
                 for page in sorted(english_pages.rglob("*.md"))] if english_pages.is_dir() else []
        pages.append((editions.home_intro(root, editions.DEFAULT),
                      editions.home_intro(root, language)))
        for page, twin in pages:
            if page.exists() and not twin.exists():
                problems.warn(page, None, None, f"no {name} version of this page",
                              category="translation", group=(language, "pages"),
                              hint=f"write it in {twin.relative_to(root).as_posix()}; {hint}")
        _report_field_descriptions(language, name, problems)
        for message in catalogue_problems(language):
            problems.add(LOCALES / f"{language}.yaml", message.line, None, message.text,
                         record=message.key, hint=message.hint)


def check(content: Content, today: date, problems: Problems, *, strict: bool = False,
          translations: bool = True) -> None:
    known = known_names(content)
    finding = _Finding(content, known)  # the stories' fields, begun in another process
    try:
        _check_references(content, problems)
        _check_order(content, problems)
        _check_insecure_links(content, problems)
        _check_events(content, problems)
        _check_reserved(content, problems)
        _check_previous_ids(content, problems)
        _check_feeds(content, today, problems)
        _check_translations(content, problems)
        # reported after the stories' problems, as they come after them in the report
        after = Problems(root=problems.root)
        check_pages(content.root, after)
        if translations:  # (the live preview asks once, when it starts)
            check_site_address(content.root, after)
            report_untranslated(content, after)
        finding.finish()
    finally:
        finding.kill()
    for story in content.stories:
        _check_story(story, content, today, problems, strict, known)
    problems.items += after.items
