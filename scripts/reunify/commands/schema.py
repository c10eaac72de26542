"""`reunify schema`: write the JSON Schemas that editors' YAML editors use."""
from __future__ import annotations

from pathlib import Path


def run(args) -> int:
    from reunify.content.schema import write_schemas

    root = Path(args.root).resolve()
    for path in write_schemas(root / "schemas"):
        print(f"Wrote {path.relative_to(root)}")
    return 0
