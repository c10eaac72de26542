"""One mistake, one message, and a last line that says what happened (issue: an editor's year)."""
from reunify.cli import main

from conftest import ORG, STORY

TODAY = ["--today", "2026-11-22"]


def _check(project, capsys, *options) -> tuple[int, list[str]]:
    code = main(["check", "--root", str(project.root), *TODAY, *options])
    return code, capsys.readouterr().out.splitlines()


def test_a_file_that_cannot_be_parsed_is_reported_alone(project, capsys):
    (project.root / "mkdocs.es.yml").write_text("INHERIT: mkdocs.yml\n")  # a Spanish edition
    project.story("home.md")  # it names the partner in the file that cannot be read
    project.resources("campaign:\n  year: 2026\n  theme: [unclosed\n")
    code, lines = _check(project, capsys)
    assert code == 1
    assert [line.split(": ")[0] for line in lines[:-1]] == ["resources.yaml:4:1"]
    assert "YAML syntax error" in lines[0]
    assert lines[-1].startswith("1 error(s), ")


def test_errors_come_first_and_untranslated_text_is_one_line(project, capsys):
    (project.root / "mkdocs.es.yml").write_text("INHERIT: mkdocs.yml\n")
    project.resources(organizations=ORG.replace("website: https://", "website: http://"))
    project.story("a-home.md")
    project.story("broken.md", STORY.replace("state: AL", "state: Atlantis"))
    code, lines = _check(project, capsys)
    assert code == 1
    assert lines[0].startswith("stories/broken.md:6:8: record broken, field state:")
    assert "warning: record helpers, field website: expected a secure address" in lines[1]
    # what is not yet translated, counted by kind in one line, however many there are
    assert lines[2] == ("4 text(s) not yet translated, shown in English and marked as such (1 "
                        "campaign text, 1 partner, 1 story, 1 list of topics and themes not yet "
                        "in Spanish); `reunify check --translations` lists them")
    assert lines[3] == ("1 error(s), 1 warning(s), 4 not yet translated: the check failed; fix "
                        "the errors above")
    _, listed = _check(project, capsys, "--translations")
    assert any("no Spanish translation of this story" in line for line in listed)


def test_strict_says_that_it_failed_and_why(project, capsys):
    project.resources(organizations=ORG.replace("website: https://", "website: http://"))
    project.story("home.md")
    code, lines = _check(project, capsys, "--strict")
    assert code == 1
    assert lines[-1] == ("0 error(s), 1 warning(s): the check failed, because --strict counts "
                         "the 1 warning(s) above as errors (missing translations and the "
                         "example site address never do)")
    code, lines = _check(project, capsys)
    assert (code, lines[-1]) == (0, "0 error(s), 1 warning(s)")


def test_a_consent_date_in_a_later_year_looks_like_a_typo(project, capsys):
    project.story("home.md", STORY.replace("obtained: 2026-05-01", "obtained: 2062-05-01"))
    code, lines = _check(project, capsys)
    assert "its consent is dated 2062-05-01, after today (is the year a typo?)" in lines[0]


def test_refresh_says_when_no_feed_could_be_reached(project, capsys):
    import socket

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    project.resources(organizations=ORG.replace(
        "    last_verified", f"    feed_url: http://127.0.0.1:{port}/feed\n    last_verified"))
    code = main(["feeds", "refresh", "--root", str(project.root), "--allow-private-addresses"])
    err = capsys.readouterr().err
    assert code == 1
    assert "none of the partners' sites could be reached; check this computer's internet " \
           "connection" in err


def test_a_typo_inside_a_group_is_matched_with_the_group_s_own_fields(project, capsys):
    project.resources(extra="""\
drives:
  - id: towels
    title: Towels
    organization: helpers
    description: Towels for families.
    starts: 2026-11-01
    ends: 2026-12-31
    states: [AL]
    drop_off:
      - name: Office
        adress: 1 Main Street
""")
    code, lines = _check(project, capsys)
    assert code == 1
    assert lines[0] == ("resources.yaml:27:9: record towels, field drop_off[0].adress: unknown "
                        "field 'adress' (hint: did you mean `address`?)")


def test_a_translation_with_a_mistake_is_reported_for_its_mistake_only(project, capsys):
    (project.root / "mkdocs.es.yml").write_text("INHERIT: mkdocs.yml\n")
    project.story("home.md", STORY.replace("consent:", "quotes:\n  - text: Home.\n    by: a "
                                           "mother\nconsent:"))
    project.story("home.es.md", "---\ntitle: En casa\nsummary: En casa.\nquotes:\n"
                  "  - text: En casa.\n---\nTexto.\n")
    code, lines = _check(project, capsys, "--translations")
    assert code == 1
    assert lines[0].startswith("stories/home.es.md:5:5: record home (es), field quotes[0].by: "
                               "required field missing")
    assert not any("no Spanish translation of this story" in line for line in lines)


def test_check_says_while_the_site_address_is_the_example_one(project, capsys):
    (project.root / "mkdocs.yml").write_text("site_name: Hub\nsite_url: "
                                             "https://reunification.example.org/\n")
    project.story("home.md")
    code, lines = _check(project, capsys, "--strict")
    assert code == 0  # the sample hub is built with it
    assert lines[0] == (
        "mkdocs.yml:2:1: warning: field site_url: the site's address is still the example one "
        "(https://reunification.example.org/): permanent links, feeds, the sitemap and share "
        "cards would point there (hint: before publishing, write the real address, e.g. "
        "https://reunification.yourorg.org/)")
    (project.root / "mkdocs.yml").write_text("site_name: Hub\nsite_url: https://hub.org/\n")
    assert _check(project, capsys)[1] == ["0 error(s), 0 warning(s)"]


def test_a_missing_colon_is_reported_on_its_own_line(project, capsys):
    project.resources(organizations=ORG.replace("name: Helpers United", "name Helpers United"))
    code, lines = _check(project, capsys)
    assert code == 1
    assert lines[0] == ("resources.yaml:12:5: YAML syntax error: could not find expected ':' "
                        "(hint: add the colon after the field name (`title: …`))")
    project.resources()
    project.story("home.md", STORY.replace("state: AL", "state AL"))
    code, lines = _check(project, capsys)
    assert lines[0].startswith("stories/home.md:6:1: YAML syntax error: could not find "
                               "expected ':'")
