"""The map of the states, the charts and the pictures, as a visitor and a screen reader get them."""
from __future__ import annotations

import posixpath
import re

from conftest import CAMPAIGN, ORG, STORY, TODAY, content, page, scratch_config
from reunify.commands.build import build_site
from reunify.content.geography import STATES
from reunify.site.graphics import TILES


def _resolve(page_url: str, href: str) -> str:
    return posixpath.normpath(posixpath.join(page_url, href)).lstrip("./") + "/"


def _tiles(soup):
    svg = soup.select_one("svg.rf-map")
    assert svg is not None
    return svg, {a["aria-label"].split(",")[0]: a for a in svg.select("a")}


def test_the_partners_page_map_links_every_state_with_records(sample_site):
    soup = page(sample_site, "organizations/")
    svg, links = _tiles(soup)
    # one tile for every state, DC and Puerto Rico; each two letters
    assert len(svg.select("rect")) >= len(TILES) == 52
    assert {t.get_text() for t in svg.select("text")} >= set(TILES)
    listed = {li.a.get_text(): _resolve("organizations/", li.a["href"])
              for li in soup.select(".rf-facets--states li")}
    assert set(links) == set(listed)  # the map and the plain list name the same states
    for name, link in links.items():
        target = _resolve("organizations/", link["href"])
        assert target == listed[name]
        state_page = page(sample_site, target)
        assert name in state_page.h1.get_text()
        code = link.select_one("text").get_text()
        assert re.fullmatch(rf"{re.escape(name)}, {code}: \d+ \w+(, \d+ \w+)*",
                            link["aria-label"])
    assert links["Alabama"]["aria-label"].startswith("Alabama, AL: 3 partners, 1 drive")
    assert "1 story" in links["Alabama"]["aria-label"]
    # states with nothing listed are drawn, not linked
    assert "Wyoming" not in links


def test_the_home_page_has_the_map_too(sample_site):
    _, links = _tiles(page(sample_site, ""))
    assert "Alabama" in links and links["Alabama"]["href"] == "organizations/states/al/"


def test_a_state_page_shows_where_it_is_and_everything_in_it(sample_site):
    soup = content(page(sample_site, "organizations/states/al/"))
    svg, links = _tiles(soup)
    assert links["Alabama"].get("aria-current") == "page"
    assert "Alabama" in soup.select_one(".rf-state__map figcaption").get_text()
    headings = [h.get_text() for h in soup.select("h2")]
    assert "Partner organizations" in headings
    for heading in ("Donation drives in Alabama", "Stories from Alabama",
                    "Resources for Alabama"):
        assert heading in headings, headings
    counts = [a.get_text() for a in soup.select(".rf-state__counts a")]
    assert counts[0] == "3 partners"
    for anchor in soup.select(".rf-state__counts a"):
        assert soup.select_one(anchor["href"]) is not None  # each count leads to its section


def test_a_state_with_no_partner_but_a_story_has_a_page(project, tmp_path):
    project.story("home-again.md", STORY.replace("state: AL", "state: OR"))
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), TODAY)
    soup = content(page(site, "organizations/states/or/"))
    assert "Oregon" in soup.h1.get_text()
    assert "No partner in Oregon is listed yet." in soup.get_text()
    assert [h.get_text() for h in soup.select("h2")][-1] == "Stories from Oregon"


def _chart_parts(figure):
    svg = figure.select_one("svg")
    assert svg["role"] == "img"
    ids = svg["aria-labelledby"].split()
    title, desc = (figure.find(id=i) for i in ids)
    assert title.name == "title" and desc.name == "desc"
    bars = [t.get_text() for t in svg.select("text")]
    rows = [(tr.th.get_text(), tr.td.get_text()) for tr in figure.select("tbody tr")]
    return title.get_text(), desc.get_text(), bars, rows


def test_the_month_in_numbers_charts_say_what_they_show(sample_site):
    home = content(page(sample_site, ""))
    charts = home.select("#rf-numbers ~ .rf-charts figure.rf-chart, .rf-charts figure.rf-chart")
    titles = {}
    for figure in charts:
        title, desc, bars, rows = _chart_parts(figure)
        titles[title] = rows
        # every value in the table is written on the chart, beside its label
        for label, value in rows:
            assert value in bars and label[:19] in " ".join(bars)
        assert desc
    assert titles["Partner organizations by state"][0] == ("Alabama", "3")
    assert titles["Goods for families, June 2026"] == [("Given so far", "422"),
                                                       ("Asked for", "640")]
    assert titles["Money for families, June 2026"] == [("Raised so far", "$9,650"),
                                                       ("Goal", "$25,000")]
    year = content(page(sample_site, "2026/"))
    assert year.select("figure.rf-chart")


def test_a_figure_with_a_series_is_drawn_as_a_chart(project, tmp_path):
    project.resources(CAMPAIGN + """\
  figures:
    - value: "1,204"
      label: families reunified in the county
      source: County Family Court
      series:
        - {label: 2022, value: 980}
        - {label: 2023, value: 1102}
        - {label: 2024, value: 1204}
organizations:
""" + ORG)
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), TODAY)
    figure = content(page(site, "")).select_one("#rf-figures ~ figure.rf-chart, "
                                                ".rf-figures + figure.rf-chart")
    title, desc, bars, rows = _chart_parts(figure)
    assert title == "1,204 families reunified in the county"
    assert rows == [("2022", "980"), ("2023", "1,102"), ("2024", "1,204")]
    assert "County Family Court" in desc and "2023: 1,102" in desc


def test_cards_have_a_picture_photos_only_with_consent(sample_site):
    home = content(page(sample_site, ""))
    for card in home.select(".rf-card--story, .rf-card--drive"):
        art = card.select_one("img.rf-card__art")
        assert art is not None, card
        assert (sample_site / _resolve("", art["src"]).rstrip("/")).exists()
        if "rf-card__art--photo" not in art.get("class", []):
            assert art["alt"] == ""  # an illustration is decoration
            assert "/illustrations/" in art["src"]
        assert art["width"] and art["height"]  # nothing shifts when it loads
    resources = content(page(sample_site, "resources/"))
    assert all(card.select_one("img.rf-card__art[alt='']")
               for card in resources.select(".rf-card--resource"))


def test_a_story_photo_appears_on_its_card_only_with_consent(project, tmp_path):
    from PIL import Image

    (project.root / "stories" / "images").mkdir()
    Image.new("RGB", (1200, 800), (200, 120, 90)).save(project.root / "stories/images/a.jpg")
    pictured = STORY.replace("  scope: [web]\n", "  scope: [web]\n  image: true\n")
    pictured = pictured.replace("---\nThey", "image:\n  src: images/a.jpg\n  alt: A kitchen "
                                "table\n---\nThey")
    project.story("pictured.md", pictured)
    project.story("unpictured.md", pictured.replace("  image: true\n", ""))
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), TODAY)
    arts = [c.select_one("img.rf-card__art") for c in content(page(site, "stories")).select(
        ".rf-card--story")]
    photos = [a for a in arts if "rf-card__art--photo" in a.get("class", [])]
    assert len(photos) == 1 and photos[0]["alt"] == "A kitchen table"
    assert photos[0]["loading"] == "lazy"
    assert len(arts) == 2


def test_every_state_code_is_a_tile_once():
    assert len(set(TILES.values())) == len(TILES)
    assert set(TILES) <= set(STATES)
    assert {"DC", "PR"} <= set(TILES)


def test_a_state_page_stays_small_however_many_stories_it_has(project, tmp_path):
    for n in range(9):
        project.story(f"home-{n}.md", STORY.replace("title: A family home again",
                                                    f"title: A family home again, number {n}"))
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), TODAY)
    section = content(page(site, "organizations/states/al/")).select_one(
        "section[aria-labelledby=rf-state-stories]")
    assert len(section.select(".rf-card--story")) == 6
    links = [a["href"] for a in section.select(".rf-more-links a")]
    assert len(links) == 3  # every story is reachable from the state's page
    for href in links:
        assert (site / _resolve("organizations/states/al/", href) / "index.html").exists()
