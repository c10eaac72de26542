"""`reunify new-year`: archive this June's campaign and start the next."""
from __future__ import annotations

import sys
from pathlib import Path

from reunify.engine.pipeline import build_date, check


def _ask(label: str, value, convert):
    """Use the option if given, else ask an editor at a terminal; scripts must pass options."""
    while value is None:
        if not sys.stdin.isatty():
            raise ValueError(f"{label} is missing: give it as an option (see --help)")
        answer = input(f"{label}: ").strip()
        try:
            value = convert(answer) if answer else None
        except ValueError as exc:
            print(f"  {exc}", file=sys.stderr)
    return convert(value) if isinstance(value, str) else value


def run(args) -> int:
    from datetime import date as _date

    from pydantic import ValidationError

    from reunify.site.index import event_end
    from reunify.content.models import Campaign
    from reunify.content.rollover import RolloverError, plan_and_apply

    root = Path(args.root).resolve()
    today = build_date(args.today)
    problems, content = check(root, today)
    if problems.errors or content.campaign is None:
        print(problems.report(), file=sys.stderr)
        print("Fix these first; nothing was changed.", file=sys.stderr)
        return 1
    try:
        theme = _ask(f"Theme for {args.year}", args.theme, str)
        starts = _ask("First day (YYYY-MM-DD)", args.start, _date.fromisoformat)
        ends = _ask("Last day (YYYY-MM-DD)", args.end, _date.fromisoformat)
        tagline = args.tagline
        if tagline is None and content.campaign.tagline and sys.stdin.isatty():
            tagline = input(f"Tagline for {args.year} (the sentence under the theme; Enter "
                            "for none): ").strip() or None
        new = Campaign.model_validate({**content.campaign.model_dump(), "year": args.year,
                                       "theme": theme, "starts": starts, "ends": ends,
                                       "tagline": tagline})
        if new.ends < new.starts:
            raise ValueError(f"the last day ({ends}) is before the first ({starts})")
        archived = content.campaign_of
        ended_events = {e.id for e in content.events if ("events", e.id) not in archived
                        and event_end(e).date() < today}
        ended_drives = {d.id for d in content.drives if ("drives", d.id) not in archived
                        and d.ends < today}
        plan = plan_and_apply(root, args.year, new.theme, new.starts, new.ends, new.tagline,
                              today, ended_events, ended_drives)
    except (ValueError, ValidationError, RolloverError) as exc:
        print(f"reunify new-year: {exc}", file=sys.stderr)
        return 1
    print(f"Archived the {plan.old_year} campaign in {plan.archive_file.relative_to(root)} "
          f"with {len(plan.archived_events)} event(s) and {len(plan.archived_drives)} "
          f"drive(s); it stays online at /{plan.old_year}/.")
    print(f"resources.yaml now holds the {args.year} campaign: {new.theme}. "
          "Run `make check`, then add this year's events and drives.")
    old = content.campaign
    if old.tagline and not new.tagline:
        print(f"Reminder: the {old.year} tagline (\"{old.tagline}\") went to the archive and "
              f"the home page has none for {args.year}: add `tagline: …` under `campaign:` in "
              "resources.yaml (or run again with --tagline).")
    if old.translations:
        print(f"Reminder: the theme and tagline in other languages went to the archive too; "
              f"`make check` lists what to translate for {args.year}.")
    return 0
