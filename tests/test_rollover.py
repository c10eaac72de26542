"""A new June: the sample site rolls over to 2027 and every address of 2026 still works."""
from __future__ import annotations


import pytest

from reunify.cli import main
from reunify.commands.build import build_site

from conftest import content, copy_sample, page
from test_exports import ADDRESSES, published


@pytest.fixture
def sample_copy(tmp_path):
    return copy_sample(tmp_path / "hub")


def test_roll_over_keeps_every_address_and_archives_the_year(sample_copy, tmp_path, capsys):
    before = (sample_copy / "resources.yaml").read_text()
    assert main(["new-year", "2027", "--theme", "Home is where we grow", "--start", "2027-06-01",
                 "--end", "2027-06-30", "--root", str(sample_copy), "--today",
                 "2026-11-22"]) == 0
    out = capsys.readouterr().out
    assert "archive/2026.yaml with 3 event(s) and 1 drive(s)" in out
    # the tagline it cleared is not lost silently
    assert "Reminder: the 2026 tagline (\"" in out and "add `tagline: …` under `campaign:`" in out
    after = (sample_copy / "resources.yaml").read_text()
    assert "year: 2027" in after and "theme: Home is where we grow" in after
    assert before.splitlines()[:10] == after.splitlines()[:10]  # the header comments stay
    assert main(["check", "--root", str(sample_copy), "--today", "2026-11-22",
                 "--translations"]) == 0
    report = capsys.readouterr().out
    # the new theme awaits its Spanish; last year's Spanish theme went to the archive with it
    assert "record campaign: not yet translated into Spanish: theme" in report
    assert "0 error(s)" in report
    assert "Trabajar juntos marca la diferencia" not in after
    assert "Trabajar juntos marca la diferencia" in (sample_copy / "archive/2026.yaml").read_text()
    assert "name: Mes Nacional de la Reunificación Familiar" in after

    site = tmp_path / "site"
    build_site(sample_copy, site, sample_copy / "mkdocs.yml", __import__("conftest").TODAY)
    promised = {line for line in ADDRESSES.read_text().splitlines() if line}
    assert sorted(promised - published(site)) == []

    home = content(page(site, ""))
    assert home.h1.get_text(strip=True) == "Home is where we grow"
    old = content(page(site, "2026"))
    assert old.h1.get_text(strip=True) == "Partnering makes the difference"
    assert sorted(a["href"] for a in old.select(".rf-card--event .rf-card__title a")) == [
        "../events/birmingham-homecoming-celebration/",
        "../events/grief-and-loss-circle/", "../events/kickoff-partnering-for-reunification/"]
    # every drive that ran in the 2026 campaign or after it stays on its page: the one that
    # ended (archived), the one that still collects until June 2027, the one of last autumn
    assert sorted(a["href"] for a in old.select(".rf-card--drive .rf-card__title a")) == [
        "../drives/full-pantry-homecoming/", "../drives/home-again-kits-birmingham/",
        "../drives/keep-the-lights-on/"]
    new = content(page(site, "2027"))
    assert [a["href"] for a in new.select(".rf-card--drive .rf-card__title a")] == [
        "../drives/keep-the-lights-on/"]  # it runs through June 2027 too
    assert len(old.select(".rf-card--story")) == 3
    years = [a.get_text(" ", strip=True) for a in content(page(site, "archive")).select("li a")]
    assert years == ["2027 : Home is where we grow", "2026 : Partnering makes the difference"]
    spanish_old = content(page(site, "es/2026"))
    assert spanish_old.h1.get_text(strip=True) == "Trabajar juntos marca la diferencia"
    spanish_home = content(page(site, "es"))
    assert spanish_home.h1.get_text(strip=True) == "Home is where we grow"
    assert spanish_home.h1.select_one('[lang="en"]') is not None
    drives = content(page(site, "drives"))
    assert "../drives/keep-the-lights-on/" in [a["href"] for a in drives.select(".rf-card--drive .rf-card__title a")]


def test_roll_over_needs_the_new_details(sample_copy, capsys):
    assert main(["new-year", "2027", "--root", str(sample_copy)]) == 1
    assert "Theme for 2027 is missing: give it as an option" in capsys.readouterr().err
    assert main(["new-year", "2025", "--theme", "x", "--start", "2025-06-01", "--end",
                 "2025-06-30", "--root", str(sample_copy)]) == 1
    assert "expected a year after 2026, found 2025" in capsys.readouterr().err
    assert main(["new-year", "2027", "--theme", "x", "--start", "2027-06-30", "--end",
                 "2027-06-01", "--root", str(sample_copy)]) == 1
    assert "is before the first" in capsys.readouterr().err
    assert not (sample_copy / "archive").exists()
