"""Dependencies point one way: cli/ and review_app/ import nlp/, never the reverse."""

import ast
from pathlib import Path

NLP = Path(__file__).resolve().parents[1] / "nlp"
FORBIDDEN = ("cli", "review_app", "streamlit")


def test_nlp_imports_neither_cli_nor_review_app_nor_streamlit():
    offenders = []
    for path in NLP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def _module_imports() -> dict[str, set[str]]:
    """Module → the nlp modules it imports at module level (TYPE_CHECKING blocks excluded)."""
    graph: dict[str, set[str]] = {}
    for path in NLP.rglob("*.py"):
        rel = path.relative_to(NLP.parent).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        deps: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("nlp")}
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nlp"):
                deps.add(node.module)
                deps |= {f"{node.module}.{a.name}" for a in node.names}
        graph[name] = deps
    return {m: {d for d in ds if d in graph and d != m} for m, ds in graph.items()}


def test_no_import_circle_in_nlp():
    """Module-level imports inside nlp/ form no cycle (a package's __init__ excepted)."""
    graph = _module_imports()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycle = [*stack[stack.index(dep):], dep]
                if not any(dep.startswith(m + ".") or m.startswith(dep + ".") for m in cycle[:-1]
                           if m != dep):
                    cycles.append(cycle)
            elif dep not in state:
                visit(dep, [*stack, dep])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
