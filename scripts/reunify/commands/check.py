"""`reunify check`: find every problem in the content, without building."""
from __future__ import annotations

from pathlib import Path

from reunify.content.validate import report_stale
from reunify.engine.pipeline import build_date, check


def run(args) -> int:
    root = Path(args.root).resolve()
    today = build_date(args.today)
    problems, content = check(root, today, strict=args.strict)
    if args.stale:
        report_stale(content, today, problems)
    print(problems.report(strict=args.strict, translations=args.translations))
    return 1 if problems.failed(args.strict) else 0
