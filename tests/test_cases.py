"""One small file per common mistake (tests/cases/NAME.yaml), with the exact messages expected
written at its end as `# expect:` lines."""
from pathlib import Path

import pytest

from reunify.cli import main

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_mistake_is_reported_exactly(case, tmp_path, capsys):
    text = case.read_text(encoding="utf-8")
    expected = [line.removeprefix("# expect: ") for line in text.splitlines()
                if line.startswith("# expect: ")]
    assert expected, f"{case.name} has no '# expect:' lines"
    (tmp_path / "resources.yaml").write_text(text, encoding="utf-8")
    code = main(["check", "--root", str(tmp_path), "--today", "2026-11-22"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[:-1] == expected
    has_errors = any(": warning: " not in line for line in expected)
    assert code == (1 if has_errors else 0)
