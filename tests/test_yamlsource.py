import time
from pathlib import Path

from reunify.content.problems import Problems
from reunify.content.yamlsource import parse, read_text


def _parse(text):
    problems = Problems()
    doc = parse(text, Path("resources.yaml"), problems)
    return doc, [p.format() for p in problems.items]


def test_positions_of_values_and_keys():
    doc, problems = _parse("resources:\n  - id: one\n    title: First\n")
    assert problems == []
    assert doc.data == {"resources": [{"id": "one", "title": "First"}]}
    assert doc.where(("resources", 0, "title")) == (3, 12)
    assert doc.where(("resources", 0, "title"), key=True) == (3, 5)
    assert doc.where(("resources", 0, "missing")) == (2, 5)


def test_duplicate_key_is_reported_not_silently_dropped():
    _, problems = _parse("id: a\ntitle: One\ntitle: Two\n")
    assert problems == ["resources.yaml:3:1: the field 'title' appears twice in the same record "
                        "(first at line 2); only one can be kept (hint: delete or rename one of "
                        "the two)"]


def test_tab_indentation():
    _, problems = _parse("campaign:\n\tyear: 2026\n")
    assert problems == ["resources.yaml:2:1: expected spaces for indentation, found a tab "
                        "(hint: replace the tab with spaces (two per level))"]


def test_syntax_error_names_the_line():
    _, problems = _parse("campaign:\n  theme: [unclosed\n  year: 2026\n")
    assert len(problems) == 1 and problems[0].startswith("resources.yaml:3:")
    assert "YAML syntax error" in problems[0]


def test_python_object_tags_are_refused():
    _, problems = _parse("id: !!python/object/apply:os.system ['echo hacked']\n")
    assert problems == ["resources.yaml:1:5: the tag tag:yaml.org,2002:python/object/apply:"
                        "os.system is not allowed (hint: remove the tag: content is plain text, "
                        "numbers, dates, lists and fields)"]


def test_billion_laughs_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        prev, cur = chr(ord("a") + n - 1), chr(ord("a") + n)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    _, problems = _parse("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 1.0
    assert len(problems) == 1 and "aliases (*name) expand to more than 10,000 values" in problems[0]


def test_non_utf8_file(tmp_path):
    file = tmp_path / "resources.yaml"
    file.write_bytes("title: caf".encode() + b"\xe9\n")
    problems = Problems(root=tmp_path)
    assert read_text(file, problems) is None
    assert [p.format() for p in problems.items] == [
        "resources.yaml:1:11: expected text encoded as UTF-8, found the byte 0xe9 "
        "(hint: save the file as UTF-8 in your editor)"]
