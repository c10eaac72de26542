"""`reunify links check`: ask every outbound link whether it still works."""
from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path


def run(args) -> int:
    from reunify.content import links
    from reunify.content.load import load_records, write_json
    from reunify.content.net import any_address, public_address
    from reunify.content.problems import Problems
    from reunify.engine.pipeline import build_date

    root = Path(args.root).resolve()
    today = build_date(args.today)
    problems = Problems(root=root)
    content = load_records(root, problems)
    if problems.errors:
        print(problems.report(), file=sys.stderr)
        print("Fix these first (`reunify check` lists them); no link was checked.",
              file=sys.stderr)
        return 1
    used = links.uses(content, today)
    policy = replace(links.Policy(), user_agent=links.user_agent(content.campaign),
                     per_host=args.per_host, pause=args.pause,
                     connect_timeout=min(args.timeout, links.Policy.connect_timeout),
                     read_timeout=args.timeout)
    places = sum(map(len, used.values()))
    print(f"Checking {len(used):,} link(s), used in {places:,} place(s), at most "
          f"{policy.per_host} at a time per site, {policy.pause:g} s apart…", file=sys.stderr)
    results = links.check_all(sorted(used), policy=policy, verify=True,
                              allowed=any_address if args.allow_private_addresses
                              else public_address,
                              progress=links.progress_printer(sys.stderr))
    line = links.summary(results)
    print(line, file=sys.stderr)
    if len(results) >= 3 and all(r.network for r in results.values()):
        print("No site could be reached: check this computer's internet connection and try "
              f"again. {links.RESULTS} was left as it was.", file=sys.stderr)
        return 1
    now = datetime.now(timezone.utc)
    file = root / links.RESULTS
    data = links.merge(links.read_results(file), results, now)
    write_json(file, data)
    print(f"Wrote {links.RESULTS}.", file=sys.stderr)
    found = Problems(root=root)
    links.report(used, data, found, now)
    if args.update:
        changed = links.set_verified(root / "resources.yaml",
                                     links.verified_records(used, data), today, found)
        print(f"Set last_verified to {today.isoformat()} on {len(changed):,} record(s) whose "
              "links all worked.", file=sys.stderr)
    if found.items:
        print(found.report())
    if args.report:
        Path(args.report).write_text(links.markdown(found, line) if found.items else "",
                                     encoding="utf-8")
    return 1 if found.errors else 0
