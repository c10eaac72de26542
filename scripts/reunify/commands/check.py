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
        report_failing_links(content, today, problems)
    print(problems.report(strict=args.strict, translations=args.translations))
    return 1 if problems.failed(args.strict) else 0


def report_failing_links(content, today, problems) -> None:
    """The links that `reunify links check` last found broken, moved or refusing it, as
    warnings: they are what the web answered then, not a mistake in the content."""
    from datetime import datetime, time, timezone

    from reunify.content import links

    if content.links:
        links.report(links.uses(content, today), {"links": content.links}, problems,
                     datetime.combine(today, time(23, 59), timezone.utc), warn_only=True)
