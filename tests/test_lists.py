"""Long lists: what order they are in, page numbers and letters to jump with, and pages that
stay small however many records there are (the nationwide partners get pages of their own)."""
from __future__ import annotations

import pytest

from reunify.commands.build import build_site
from reunify.site import render
from reunify.site.index import first_letter, sort_key

from conftest import TODAY, content, guides, page, scratch_config

TITLES = ["Árbol de apoyo", "¿Qué sigue?", "2nd chances", "apple guide", "Banana plan",
          "Zebra crossing", "Éxito familiar", "'Quoted' title", "Mango map", "Kiwi notes"]


def test_names_are_filed_under_their_letter_however_they_are_written():
    assert [first_letter(t) for t in TITLES] == ["A", "Q", "#", "A", "B", "Z", "E", "Q", "M",
                                                 "K"]
    assert sorted(TITLES, key=sort_key) == [
        "2nd chances", "apple guide", "Árbol de apoyo", "Banana plan", "Éxito familiar",
        "Kiwi notes", "Mango map", "¿Qué sigue?", "'Quoted' title", "Zebra crossing"]


@pytest.fixture(scope="module")
def long_lists(tmp_path_factory):
    """90 resources at 5 a page (18 pages) and 20 nationwide partners."""
    from conftest import Project

    root = tmp_path_factory.mktemp("lists")
    project = Project(root)
    orgs = "".join(f"""\
  - id: national-{i}
    name: {name} Network
    website: https://example.org/n/{i}
    description: Works everywhere.
    states: [national]
    last_verified: 2026-10-01
""" for i, name in enumerate(["Zeta", "Alpha", "Ómega", "Beta", "Gamma", "Delta", "Kappa",
                              "Lambda", "Sigma", "Theta", "Iota", "Epsilon", "Eta", "Rho",
                              "Tau", "Phi", "Chi", "Psi", "Mu", "Nu"]))
    from conftest import ORG
    resources = guides(90, lambda i: f"{TITLES[i % 10]} {i:02d}")
    project.resources(organizations=ORG + orgs, extra=resources)
    site = root / "out"
    patch = pytest.MonkeyPatch()
    patch.setattr(render, "RESOURCES_PER_PAGE", 5)
    try:
        build_site(project.root, site, scratch_config(project), TODAY)
    finally:
        patch.undo()
    return site


def _target(here: str, href: str) -> str:
    """The page a relative link leads to, from the page at `here`."""
    import posixpath

    return posixpath.normpath(posixpath.join(here, href))


def _pager(site, url):
    return content(page(site, url)).select_one("nav.rf-pager")


def _titles(site, url):
    return [h.get_text(strip=True) for h in
            content(page(site, url)).select(".rf-card--resource .rf-card__title")]


def test_a_list_says_its_order_and_where_the_reader_is(long_lists):
    pager = _pager(long_lists, "resources/page/7")
    assert pager.select_one(".rf-pager__where").get_text(strip=True) == \
        "A to Z by title · Page 7 of 18"
    numbers = [a.get_text(" ", strip=True) for a in pager.select(".rf-pager__pages a")]
    # previous, the first, the pages around this one, the last, next; gaps marked
    assert numbers == ["← Previous", "Page 1", "Page 5", "Page 6", "Page 7", "Page 8",
                       "Page 9", "Page 18", "Next →"]
    assert [s.get_text() for s in pager.select(".rf-pager__gap")] == ["…", "…"]
    current = pager.select_one("a[aria-current=page]")
    assert current.get_text(" ", strip=True) == "Page 7"
    assert _target("resources/page/7/", current["href"]) == "resources/page/7"
    first = _pager(long_lists, "resources")
    assert first.select_one("a[rel=prev]") is None
    assert first.select_one("a[rel=next]")["href"] == "../resources/page/2/"


def test_the_letters_lead_to_the_page_where_each_letter_starts(long_lists):
    all_titles = []
    for n in range(1, 19):
        all_titles += _titles(long_lists, "resources" if n == 1 else f"resources/page/{n}")
    assert all_titles == sorted(all_titles, key=sort_key) and len(all_titles) == 90
    letters = _pager(long_lists, "resources/page/3").select(".rf-pager__letters a")
    shown = [a.get_text(" ", strip=True).split()[-1] for a in letters]
    assert shown == ["#", "A", "B", "E", "K", "M", "Q", "Z"]
    for link in letters:
        letter = link.get_text(" ", strip=True).split()[-1]
        target = _target("resources/page/3/", link["href"])
        titles = _titles(long_lists, target)
        assert any(first_letter(t) == letter for t in titles), (letter, target)
        earlier = all_titles[:all_titles.index(next(t for t in all_titles
                                                    if first_letter(t) == letter))]
        assert all(first_letter(t) != letter for t in earlier)
    assert letters[1].get_text(" ", strip=True) == "starting with A"


def test_the_partners_page_shows_a_few_nationwide_partners_and_links_to_all(long_lists):
    front = content(page(long_lists, "organizations"))
    section = front.select_one("#rf-national").parent
    assert len(section.select(".rf-card--org")) == render.NATIONAL_PREVIEW
    more = section.find("a", string="See all 20 nationwide partners")
    assert more["href"] == "../organizations/nationwide/"
    listed = content(page(long_lists, "organizations/nationwide"))
    names = [h.get_text(strip=True) for h in listed.select(".rf-card--org .rf-card__title")]
    assert len(names) == 20 and names == sorted(names, key=sort_key)
    assert names[:3] == ["Alpha Network", "Beta Network", "Chi Network"]
    assert "Ómega Network" == names[names.index("Nu Network") + 1]  # Ó is filed with O


def test_a_reserved_partner_id_is_refused(project):
    from reunify.content.load import load
    from reunify.content.problems import Problems
    from reunify.content.validate import check
    from conftest import ORG

    project.resources(organizations=ORG + ORG.replace("id: helpers", "id: nationwide"))
    problems = Problems(root=project.root)
    loaded = load(project.root, problems)
    check(loaded, TODAY, problems)
    assert any("the id 'nationwide' is reserved" in p.message for p in problems.errors)


def test_a_big_hub_can_give_resources_and_partners_their_section_s_card(project, tmp_path):
    """`record_cards` in mkdocs.yml: the kinds whose pages get a card of their own."""
    from conftest import ORG

    resources = guides(3)
    drive = """drives:
  - id: towels
    title: Towels for families
    organization: helpers
    description: Towels.
    starts: 2026-11-01
    ends: 2026-12-31
    give_url: https://example.org/give
    states: [AL]
"""
    project.resources(organizations=ORG, extra=resources + drive)
    config = scratch_config(project)
    config.write_text(config.read_text().replace(
        "  - reunify\n", "  - reunify:\n      record_cards: [stories, drives, events]\n"))
    site = tmp_path / "out"
    build_site(project.root, site, config, TODAY)

    def image(url):  # (no site_url here: the address is relative to the page)
        return _target(url + "/", page(site, url).find("meta", property="og:image")["content"])
    assert image("resources/guide-1") == "resources/card.png"
    assert image("organizations/helpers") == "organizations/card.png"
    assert (site / "resources" / "card.png").is_file()
    assert not list(site.glob("resources/guide-*/card.png"))
    assert not (site / "organizations" / "helpers" / "card.png").exists()
    assert image("drives/towels") == "drives/towels/card.png"
    assert (site / "drives" / "towels" / "card.png").is_file()


def test_by_default_a_hub_with_many_resources_gives_their_pages_the_section_s_card(
        project, tmp_path, monkeypatch, capsys):
    """`record_cards: auto` (the default): resources get cards of their own while there are
    at most `OWN_CARDS_UP_TO` of them (1,000; 2 here), and the build says when they do not;
    the partners, fewer, keep theirs."""
    from conftest import ORG

    monkeypatch.setattr(render, "OWN_CARDS_UP_TO", 2)
    project.resources(organizations=ORG, extra=guides(3))
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), TODAY, parallel=False)

    def image(url):
        return _target(url + "/", page(site, url).find("meta", property="og:image")["content"])
    assert image("resources/guide-1") == "resources/card.png"
    assert not list(site.glob("resources/guide-*/card.png"))
    assert image("organizations/helpers") == "organizations/helpers/card.png"
    assert (site / "organizations" / "helpers" / "card.png").is_file()
    note = [line for line in capsys.readouterr().err.splitlines() if "share card" in line]
    assert note == [
        "note: the 3 resources' pages share their section's share card, which keeps the site "
        "small enough for every host (`record_cards: auto` gives them cards of their own while "
        "there are at most 2); to choose, list the kinds under `record_cards` in mkdocs.yml "
        "(README, \"How big a site can be\")"]

    # with no more than OWN_CARDS_UP_TO, every page has its own, and nothing is said
    monkeypatch.setattr(render, "OWN_CARDS_UP_TO", 3)
    build_site(project.root, site, scratch_config(project), TODAY, parallel=False)
    assert image("resources/guide-1") == "resources/guide-1/card.png"
    assert "share card" not in capsys.readouterr().err


@pytest.mark.parametrize("setting, found", [
    ("stories", "'stories'"), ("[stories, resource]", "'resource'")])
def test_a_wrong_record_cards_setting_says_what_is_expected(project, tmp_path, setting, found):
    from reunify.commands.build import run
    from types import SimpleNamespace

    project.resources()
    config = scratch_config(project)
    config.write_text(config.read_text().replace(
        "  - reunify\n", f"  - reunify:\n      record_cards: {setting}\n"))
    args = SimpleNamespace(root=str(project.root), config=str(config),
                           site_dir=str(tmp_path / "out"), today=TODAY.isoformat(),
                           strict=False, verbose=False)
    import io
    import contextlib
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert run(args) == 1
    text = err.getvalue()
    assert "record_cards" in text and found in text and "auto" in text, text
    assert not (tmp_path / "out").exists()


def test_a_card_leads_to_its_record_from_a_list_at_any_depth(project, tmp_path):
    """A record's card is rendered once and shown on lists at several depths: from each, its
    title leads to the record's page and its picture loads; text that spells the card's
    stand-in for the way up is shown as written."""
    title = "Guide <rf-up-to-root> 0"
    project.resources(extra=guides(2, lambda i: title if i == 0 else f"Guide {i}"))
    site = tmp_path / "site"
    build_site(project.root, site, scratch_config(project), TODAY)
    for here in ("resources/", "organizations/helpers/", "resources/formats/guide/"):
        cards = content(page(site, here)).select(".rf-card--resource")
        card = next(c for c in cards if "0" in c.select_one(".rf-card__title").get_text())
        assert card.select_one(".rf-card__title").get_text(strip=True) == title
        link = card.select_one(".rf-card__title a")["href"]
        assert _target(here, link) == "resources/guide-0", (here, link)
        picture = _target(here, card.select_one("img")["src"])
        assert (site / picture).is_file(), (here, picture)
