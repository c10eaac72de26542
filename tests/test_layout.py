"""The package shows the pipeline in its folders, and no modules import each other in a circle."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "scripts" / "reunify"
STAGES = {"content", "site", "outputs", "engine", "commands"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that this one imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                found.add(target if target in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in modules and name != "reunify"}


def test_no_module_imports_another_round_a_circle():
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    cycles, state = [], {}

    def visit(name, trail):
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append(trail[trail.index(target):] + [target])
            elif target not in state:
                visit(target, trail + [target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_folders_name_the_stages_and_cli_only_parses():
    top = {path.stem for path in PACKAGE.glob("*.py")}
    assert top == {"__init__", "__main__", "cli"}
    assert {path.name for path in PACKAGE.iterdir() if path.is_dir()
            and (path / "__init__.py").exists()} == STAGES
    cli = ast.parse((PACKAGE / "cli.py").read_text(encoding="utf-8"))
    assert [node.name for node in cli.body if isinstance(node, ast.FunctionDef)] == [
        "_common", "main"]
    for command in ("check", "build", "serve", "new", "new_year", "feeds", "schema"):
        assert (PACKAGE / "commands" / f"{command}.py").exists(), command
