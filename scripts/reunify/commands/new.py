"""`reunify new`: start a story, resource, organisation, drive or event, every field explained."""
from __future__ import annotations

import sys
from pathlib import Path

from reunify.engine.pipeline import build_date


def run(args) -> int:
    from datetime import date as _date

    from reunify.content.scaffold import ScaffoldError, add_record, new_story

    root = Path(args.root).resolve()
    today = build_date(args.today) if args.today else _date.today()
    try:
        if args.kind == "story":
            path = new_story(root / "stories", args.title, today)
            print(f"Wrote {path.relative_to(root)}: fill in every field, then run `make check`.")
        else:
            new_id = add_record(root / "resources.yaml", args.kind, args.title, today)
            print(f"Added {args.kind} {new_id!r} to resources.yaml: fill in every field, "
                  "then run `make check`.")
    except ScaffoldError as exc:
        print(f"reunify new: {exc}", file=sys.stderr)
        return 1
    return 0
