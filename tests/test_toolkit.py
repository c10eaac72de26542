"""The campaign toolkit and the share cards, as a partner and a visitor get them."""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from conftest import SAMPLE, TODAY, copy_sample, page, parse
from reunify.commands.build import build_site
from reunify.content import toolkit_text
from reunify.content.problems import Problems
from reunify.outputs import cards, posts

SITE_URL = "https://reunification.example.org/"
SOCIAL_STORY = "tucking-my-son-in-again"  # consent scope includes social in the sample


def _local(url: str, site: Path) -> Path:
    assert url.startswith(SITE_URL), url
    return site / url[len(SITE_URL):]


def _address(page_url: str, href: str) -> str:
    """A link on the page at `page_url`, as an address from the site's root."""
    return posixpath.normpath(posixpath.join(page_url, href))


def _og_image(soup) -> str:
    meta = soup.find("meta", property="og:image")
    assert meta is not None
    return meta["content"]


@pytest.mark.parametrize("url", [
    "",  # home
    "stories/", f"stories/{SOCIAL_STORY}/", "resources/",
    "resources/bridging-the-gap/", "organizations/",
    "organizations/all-star-childrens-foundation/", "drives/",
    "drives/full-pantry-homecoming/", "events/", "news/", "data/", "search/", "archive/",
    "2026/", "toolkit/", "about/", "es/", "es/stories/", "es/toolkit/", "es/about/",
])
def test_every_page_kind_has_a_share_card_that_exists(sample_site, url):
    soup = page(sample_site, url)
    image = _local(_og_image(soup), sample_site)
    assert image.exists(), image
    with Image.open(image) as picture:
        assert picture.size == (1200, 630)
        assert picture.format == "PNG"
    assert image.stat().st_size <= cards.MAX_BYTES
    assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
    assert soup.find("meta", property="og:image:alt")["content"]


def test_every_built_page_names_a_card_that_is_there(sample_site):
    pages = [p for p in sample_site.rglob("index.html")
             if not parse(p).find("meta", attrs={"http-equiv": "refresh"})]
    assert len(pages) > 100
    for path in pages:
        assert _local(_og_image(parse(path)), sample_site).exists(), path


@pytest.fixture(scope="module")
def private_story_site(tmp_path_factory):
    """The sample with one story whose family agreed to the web and print, not social media,
    and 45 more resources (so that the resource list has a second page)."""
    root = copy_sample(tmp_path_factory.mktemp("private"))
    resources = root / "resources.yaml"
    more = "".join(f"""
  - id: extra-guide-{n}
    title: Extra guide number {n}
    url: https://example.org/guides/{n}
    publisher: casey-family-programs
    format: guide
    audiences: [caregivers]
    topics: [visits]
    description: A guide for caregivers.
    last_verified: 2026-10-01
""" for n in range(45))
    text = resources.read_text(encoding="utf-8")
    text = text.replace("\nresources:\n", "\nresources:" + more, 1)
    resources.write_text(text, encoding="utf-8")
    story = root / "stories" / f"{SOCIAL_STORY}.md"
    text = story.read_text(encoding="utf-8")
    text, count = re.subn(r"scope: \[[^\]]*\]", "scope: [web, print, feeds]", text)
    assert count == 1
    story.write_text(text, encoding="utf-8")
    site = root / "site"
    build_site(root, site, root / "mkdocs.yml", TODAY)
    return site


def test_a_list_s_later_pages_share_its_first_page_s_card(private_story_site):
    site = private_story_site
    assert _og_image(page(site, "resources/page/2/")) == SITE_URL + "resources/card.png"
    assert not (site / "resources" / "page" / "2" / "card.png").exists()
    assert (site / "resources" / "card.png").exists()


def test_a_story_without_social_consent_has_no_card_or_post_anywhere(private_story_site):
    site = private_story_site
    story_page = page(site, f"stories/{SOCIAL_STORY}/")
    title = story_page.h1.get_text(strip=True)
    address = f"stories/{SOCIAL_STORY}/"
    # its page shares the stories section's card, and offers no posts or pictures
    assert _og_image(story_page) == SITE_URL + "stories/card.png"
    assert story_page.select_one(".rf-share") is None
    for edition in ("", "es/"):
        folder = site / edition / "stories" / SOCIAL_STORY
        assert sorted(p.name for p in folder.iterdir()) == ["index.html"], folder
    # no post, picture or file of it in the toolkit pages, text files or zips
    for edition in ("", "es/"):
        kit = page(site, edition + "toolkit/")
        assert not [a for a in kit.select("a[href]") if address in a["href"]]
        assert title not in kit.get_text()
        for text in (site / edition / "toolkit").glob("*.txt"):
            assert address not in text.read_text(encoding="utf-8")
        for archive in (site / edition / "toolkit").glob("*.zip"):
            with zipfile.ZipFile(archive) as z:
                assert not [n for n in z.namelist() if SOCIAL_STORY in n]
                assert all(address.encode() not in z.read(n) for n in z.namelist()
                           if n.endswith(".txt"))


def test_a_story_with_social_consent_has_posts_and_quote_cards(sample_site):
    story_page = page(sample_site, f"stories/{SOCIAL_STORY}/")
    share = story_page.select_one(".rf-share")
    assert share is not None
    assert len(share.select(".rf-post")) == 2
    links = [_address(f"stories/{SOCIAL_STORY}/", a["href"])
             for a in share.select(".rf-quote-cards a[download]")]
    assert links == [f"stories/{SOCIAL_STORY}/quote-1-1080x1080.png",
                     f"stories/{SOCIAL_STORY}/quote-1-1200x630.png"]
    folder = sample_site / "stories" / SOCIAL_STORY
    for name, size in (("quote-1-1080x1080.png", (1080, 1080)),
                       ("quote-1-1200x630.png", (1200, 630))):
        with Image.open(folder / name) as picture:
            assert picture.size == size
    # the copy button carries the post's exact text, and says when it copied
    button = share.select_one(".rf-post button[data-copy]")
    text = button.find_parent(class_="rf-post").select_one(".rf-post__text").get_text()
    assert button["data-copy"] == text
    assert button["data-copied"]
    assert button.find_next_sibling(attrs={"role": "status"}) is not None


def _posts(soup) -> list[tuple[str, str]]:
    found = []
    for post in soup.select(".rf-post"):
        title = post.select_one(".rf-post__title").get_text()
        form = "short" if "X" in title or "corto" in title else "long"
        found.append((form, post.select_one(".rf-post__text").get_text()))
    return found


@pytest.mark.parametrize("edition", ["", "es/"])
def test_each_post_fits_its_platform(sample_site, edition):
    kit = page(sample_site, edition + "toolkit/")
    found = _posts(kit)
    assert {form for form, _ in found} == {"short", "long"}
    assert len(found) >= 6  # the campaign's, a story's, a drive's at least
    for form, text in found:
        assert len(text) <= (280 if form == "short" else 2_200), (form, len(text), text)
        assert "{" not in text and "}" not in text
        assert SITE_URL in text  # every post links to the site


def test_a_long_title_is_shortened_at_a_word_to_fit():
    post = toolkit_text.Post(short="{title} {hashtag} {link}", long="{title}")
    title = " ".join(["reunification"] * 40)  # 559 characters
    short, long = posts.samples(post, {"title": title, "hashtag": "#R",
                                       "link": "https://example.org/x/"})
    assert len(short.text) <= 280 and short.text.endswith("#R https://example.org/x/")
    words = short.text.split(" #R")[0]
    assert words.endswith("…")
    assert set(words.rstrip("…").split()) == {"reunification"}  # whole words only
    assert long.text == title


def _pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(path).pages)


@pytest.mark.parametrize("edition", ["", "es/"])
def test_the_pdfs_open_are_letter_tagged_embed_their_fonts_and_say_the_year_and_theme(
        sample_site, edition):
    folder = sample_site / edition / "toolkit"
    pdfs = sorted(folder.glob("*.pdf"))
    assert {p.name.rsplit("-2026", 1)[0] for p in pdfs} == {
        "proclamation", "press-release", "poster", "timeline", "release-form"}
    theme = "Trabajar juntos marca la diferencia" if edition else \
        "Partnering makes the difference"
    for path in pdfs:
        reader = PdfReader(path)
        root = reader.trailer["/Root"]
        assert root["/MarkInfo"]["/Marked"], path  # tagged
        assert "/StructTreeRoot" in root
        box = reader.pages[0].mediabox
        assert (round(box.width), round(box.height)) == (612, 792)  # US Letter
        for font in reader.pages[0]["/Resources"]["/Font"].values():
            descriptor = font.get_object().get("/FontDescriptor") or \
                font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object() or \
                "/FontFile3" in descriptor.get_object(), path
        text = " ".join(_pdf_text(path).split())
        assert "2026" in text, path
        if path.name.startswith(("proclamation", "press-release", "poster")):
            assert theme in text, path


def test_the_release_form_asks_what_the_consent_block_records(sample_site):
    text = " ".join(_pdf_text(sample_site / "toolkit" / "release-form-2026-en.pdf").split())
    words = toolkit_text.load(SAMPLE, Problems(root=SAMPLE))["en"].release_form
    for scope in toolkit_text.SCOPES:  # web, print, social, feeds: a box each
        assert words.scopes[scope] in text
    for field in ("obtained", "expires", "scope", "image"):
        assert words.fields[field].split(" (")[0] in text
    spanish = " ".join(_pdf_text(sample_site / "toolkit" / "release-form-2026-es.pdf").split())
    assert "redes sociales" in spanish


def test_the_word_documents_open_and_can_be_edited(sample_site):
    from docx import Document

    document = Document(str(sample_site / "toolkit" / "proclamation-2026.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "June 2026" in text and "WHEREAS" in text
    assert document.core_properties.title.startswith("A proclamation")
    poster = Document(str(sample_site / "toolkit" / "poster-2026.docx"))
    assert poster.inline_shapes, "the poster has its QR code"


@pytest.mark.parametrize("edition", ["", "es/"])
def test_the_zip_holds_every_file_the_page_offers(sample_site, edition):
    folder = sample_site / edition / "toolkit"
    kit = page(sample_site, edition + "toolkit/")
    offered = {_address(edition + "toolkit/", a["href"])[len(edition + "toolkit/"):]
               for a in kit.select("a[download]")}
    archives = [h for h in offered if h.endswith(".zip")]
    assert archives == ["toolkit-2026.zip"]
    with zipfile.ZipFile(folder / archives[0]) as z:
        names = set(z.namelist())
        for href in offered - set(archives):
            assert href in names, href
            assert z.read(href) == (folder / href).read_bytes()
        for kind in ("email-banner-300x80.png", "email-banner-600x160.png",
                     "cover-1500x500.png", "profile-frame-800.png", "posts-2026.txt",
                     "release-form-2026-en.pdf", "release-form-2026-es.pdf"):
            assert kind in names
        assert any(n.startswith("quote-cards/") for n in names)
    for name, size in (("email-banner-300x80.png", (300, 80)),
                       ("email-banner-600x160.png", (600, 160))):
        with Image.open(folder / name) as picture:
            assert picture.size == size


def test_the_timeline_counts_back_from_the_month(sample_site):
    steps = page(sample_site, "toolkit/").select(".rf-timeline > li")
    assert len(steps) == 5
    # eight weeks before June 1, 2026 is April 6, 2026
    assert "April 6, 2026" in steps[0].get_text()
    assert "June 1, 2026" in steps[3].get_text()


def _load(root: Path, yaml_text: str) -> Problems:
    (root / "site_src").mkdir(parents=True, exist_ok=True)
    (root / "site_src" / "toolkit.yaml").write_text(yaml_text, encoding="utf-8")
    problems = Problems(root=root)
    toolkit_text.load(root, problems)
    return problems


def test_an_unknown_placeholder_is_reported_with_its_line(tmp_path):
    text = (SAMPLE / "site_src" / "toolkit.yaml").read_text(encoding="utf-8")
    text = text.replace('heading: "{theme}"', 'heading: "{theme.__class__} {colour}"')
    problems = _load(tmp_path, text)
    messages = [p.format() for p in problems.items]
    line = text.splitlines().index('  heading: "{theme.__class__} {colour}"') + 1
    assert any(f"site_src/toolkit.yaml:{line}" in m and "{theme.__class__}" in m
               for m in messages), messages
    assert any("{colour}" in m for m in messages)


def test_a_release_form_that_leaves_out_a_consent_scope_is_refused(tmp_path):
    text = (SAMPLE / "site_src" / "toolkit.yaml").read_text(encoding="utf-8")
    text = re.sub(r"\n    feeds: .*", "", text)
    messages = [p.format() for p in _load(tmp_path, text).items]
    assert any("release_form" in m and "feeds" in m and "add feeds" in m for m in messages), \
        messages


def test_placeholders_are_filled_by_name_only():
    assert toolkit_text.fill("{theme} {{year}}", {"theme": "Home"}) == "Home {year}"


def test_card_text_is_wrapped_at_words_and_shortened_to_fit():
    title = "Una familia de Alabama vuelve a estar junta después de dieciocho meses " * 6
    face, lines = cards._fit_room(title, 1056, 300, (72, 64, 56, 50, 44, 40))
    assert lines[-1].endswith("…")
    words = set(title.split())
    for line in lines:
        assert face.getlength(line) <= 1056
        assert set(line.rstrip("…").split()) <= words  # never a cut word
    # Spanish letters are in the committed font
    from fontTools.ttLib import TTFont
    cmap = TTFont(str(cards.BOLD)).getBestCmap()
    assert all(ord(ch) in cmap for ch in "ñáéíóúüÑ¿¡«»…·“”")


def test_cards_are_drawn_again_only_when_what_they_show_changed(tmp_path, monkeypatch):
    monkeypatch.delenv("REUNIFY_CARD_CACHE", raising=False)
    cache = cards.Cache(tmp_path)
    assert cache.folder == tmp_path / ".cache" / "cards"
    card = cards.Card("Story", "Home again", "A family in Alabama", "NRM 2026", "#R")
    first = cache.share(card)
    assert cache.drawn == 1
    assert cache.share(card) == first and cache.drawn == 1
    cache.share(cards.Card("Story", "Home again, at last", "A family in Alabama",
                           "NRM 2026", "#R"))
    assert cache.drawn == 2
