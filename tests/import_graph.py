"""jitgrad's import structure, read from the source with :mod:`ast` (nothing is imported).

Issue 14 wants layers that import downward: nn/optim -> tensor API -> engine -> fusion ->
op declarations -> kernels, with kernels, dtypes, helpers and memory at the bottom.
:mod:`tests.test_layers` holds the rules; this module measures, and run as a script it
prints the numbers the issue tracks::

    python3 tests/import_graph.py            # summary
    python3 tests/import_graph.py --verbose  # every cycle member, upward and local import
    python3 tests/import_graph.py --root DIR # another checkout's jitgrad/

What counts as an import: ``import jitgrad.x``, ``from jitgrad.x import y`` and the relative
forms, resolved to the module file they execute (``from jitgrad.ops import reduce`` is the
module ``jitgrad.ops.reduce``; ``from jitgrad import Tensor`` is ``jitgrad`` itself), plus
``importlib.import_module("jitgrad.x")``. Imports under ``if TYPE_CHECKING:`` never run and
are skipped. An import whose statement sits inside a function body is *local*: it runs on
the first call, which is how a cycle is dodged. Importing ``jitgrad.autograd.engine`` runs
``jitgrad/autograd/__init__`` first, so that is an edge too; but not the root package's
``jitgrad/__init__`` (the public namespace runs before anything), else every module would
sit in one cycle with it.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "jitgrad"

#: The intended layer of each module, higher imports lower. The first matching prefix wins
#: (longest prefixes first), so a module can be placed apart from its folder.
LAYERS: dict[str, int] = {
    # bottom: hand-written kernels and the helpers they may use
    "jitgrad.kernels": 0,
    "jitgrad.helpers": 0,
    "jitgrad.dtypes": 0,
    "jitgrad.lowp": 0,  # float16/bfloat16 rounding, no jitgrad imports
    "jitgrad.autocast_state": 0,  # the autocast region's dtype: the ops read it
    "jitgrad.typeinfo": 0,
    "jitgrad.memory": 0,
    "jitgrad.launchlog": 0,
    # device backends: the switch every CPU path reads (one attribute) and torch.backends'
    # flags at the bottom; the device's memory, math and kernels beside the CPU kernels
    "jitgrad.backends": 0,
    "jitgrad.backends.cuda.render": 2,  # the CUDA renderer of fusion's kernel descriptions
    "jitgrad.backends.cuda.elementwise": 4,  # device dispatch, beside the CPU front end
    "jitgrad.backends.cuda.deferred": 4,  # device forward fusion, beside fusion.lazy
    "jitgrad.backends.cuda.fused_backward": 4,  # device backward groups, beside fusion.backward
    "jitgrad.backends.cuda.native": 4,
    "jitgrad.backends.cuda.rows": 4,
    "jitgrad.backends.cuda.reductions": 4,
    "jitgrad.backends.cuda.linalg": 4,
    "jitgrad.backends.cuda.views": 4,
    "jitgrad.backends.cuda.aliasing": 4,  # device views of a base buffer, beside views
    "jitgrad.backends.cuda.setitem": 4,
    "jitgrad.backends.cuda.joining": 4,
    "jitgrad.backends.cuda.random": 4,
    "jitgrad.backends.dlpack": 4,
    "jitgrad.backends.cuda.transfer": 4,
    "jitgrad.backends.cuda.fallback": 5,  # wraps the public namespace
    "jitgrad.backends.cuda.api": 5,
    "jitgrad.backends.opwrap": 4,  # wraps the public namespace for a backend (tensor API)
    "jitgrad.backends.meta": 4,  # the meta device over the tensor API
    "jitgrad.backends.meta_array": 0,  # a buffer type, no jitgrad imports
    "jitgrad.nn._kernels": 0,
    # op declarations
    "jitgrad.ops": 1,
    # fusion: planner, lowering, codegen, caches
    "jitgrad.fusion": 2,
    # the engine
    "jitgrad.autograd": 3,
    # torch.autograd's public functions over Tensors: API, though they live in the package
    "jitgrad.autograd.api": 4,
    "jitgrad.autograd.function": 4,
    "jitgrad.autograd.functional": 4,
    "jitgrad.autograd.forward_ad": 4,
    "jitgrad.autograd.gradcheck": 4,
    # the Tensor front end
    "jitgrad.tensor": 4,
    "jitgrad.tensor_meta": 4,
    "jitgrad.tensor_conversion": 4,
    "jitgrad.tensor_messages": 4,
    "jitgrad._tensor_data": 4,
    "jitgrad.creation": 4,
    "jitgrad.methods": 4,
    "jitgrad.methods_overwrite": 4,
    "jitgrad.overloads": 4,
    "jitgrad.argcheck": 4,
    "jitgrad.random": 4,
    "jitgrad.sampling": 4,
    "jitgrad._printing": 4,
    "jitgrad.linalg": 4,
    "jitgrad.cuda": 4,  # torch.cuda: device queries over the tensor API
    "jitgrad.profiler": 4,
    "jitgrad.copy_ops": 4,  # the *_copy view ops and under_node (renamed nodes)
    "jitgrad.progress": 4,
    # nn, optim and everything built on the public API
    "jitgrad.nn": 5,
    "jitgrad.optim": 5,
    "jitgrad.utils": 5,
    "jitgrad.func": 5,  # torch.func: transforms over the autograd API
    "jitgrad.distributions": 5,
    "jitgrad.jit": 5,
    "jitgrad.serialization": 5,
    "jitgrad._torch_unpickle": 5,
    "jitgrad._torch_format": 5,  # checkpoint files: serialization's
    # instruments the public namespace and nn.functional (torch.autograd.profiler's name)
    "jitgrad.autograd.profiler": 5,
    "jitgrad.viz": 5,
    "jitgrad.explain": 5,
    "jitgrad.explain_forward": 5,
    "jitgrad.explain_backward": 5,
    "jitgrad.demo": 6,
    "jitgrad.demo_data": 6,
    "jitgrad": 6,  # the package namespace re-exports everything
}

LAYER_NAMES = ["kernels/helpers", "ops", "fusion", "autograd", "tensor API", "nn/optim", "top"]


def layer_of(module: str) -> int:
    """The layer :data:`LAYERS` assigns ``module`` (longest matching prefix)."""
    best = ""
    for prefix in LAYERS:
        if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    return LAYERS[best]


@dataclass(frozen=True)
class Import:
    """One import statement's edge: ``source`` imports ``target`` at ``line``."""

    source: str
    target: str
    line: int
    local: bool  # inside a function body
    text: str  # the source line
    commented: bool  # a comment on this line or the line above says why


@dataclass
class Graph:
    modules: dict[str, Path] = field(default_factory=dict)
    imports: list[Import] = field(default_factory=list)

    def edges(self, *, local: bool) -> dict[str, set[str]]:
        """Module -> modules it imports; ``local`` includes imports inside functions."""
        out: dict[str, set[str]] = {m: set() for m in self.modules}
        for imp in self.imports:
            if (local or not imp.local) and imp.target != imp.source:
                out[imp.source].add(imp.target)
        return out


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(graph_modules: dict[str, Path], name: str) -> str | None:
    """The jitgrad module that importing ``name`` executes last, or None if not ours."""
    while name and name not in graph_modules:
        name = name.rpartition(".")[0]
    return name or None


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Lines of statements under ``if TYPE_CHECKING:`` (they never run)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for stmt in node.body:
                    for sub in ast.walk(stmt):
                        if hasattr(sub, "lineno"):
                            skip.add(sub.lineno)
    return skip


def _walk(node: ast.AST, in_function: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        yield child, in_function
        nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
        yield from _walk(child, nested)


def _has_comment(lines: list[str], line: int) -> bool:
    """True if the import's line, or the line above it, carries a ``#`` comment."""
    here = lines[line - 1]
    above = lines[line - 2].strip() if line >= 2 else ""
    return ("#" in here and "noqa" not in here.split("#", 1)[1]) or above.startswith("#")


def _targets(graph: Graph, module: str, is_pkg: bool, node: ast.AST) -> list[str]:
    """The jitgrad modules one import node executes (may be empty)."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = module.split(".") if is_pkg else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        # ``from pkg import sub`` executes pkg.sub when that is a module, else just pkg
        names = [f"{prefix}.{alias.name}" for alias in node.names]
        names = [n if n in graph.modules else prefix for n in names]
    elif isinstance(node, ast.Call):
        func = node.func
        if getattr(func, "id", None) == "__import__" and isinstance(node.args[0], ast.Constant):
            names = [node.args[0].value]
        elif (
            getattr(func, "attr", None) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
    out = []
    for name in names:
        if name == "jitgrad" or name.startswith("jitgrad."):
            target = _resolve(graph.modules, name)
            # the subpackages it runs on the way (their __init__), except the root package
            parent = target.rpartition(".")[0] if target else ""
            while parent.count("."):
                # (a module's own packages are already running when it runs)
                if parent not in out and not (module + ".").startswith(parent + "."):
                    out.append(parent)
                parent = parent.rpartition(".")[0]
            if target is not None and target not in out:
                out.append(target)
    return out


def build(package: Path = PACKAGE) -> Graph:
    """Parse every module under ``package`` into a :class:`Graph`."""
    graph = Graph()
    for path in sorted(package.rglob("*.py")):
        graph.modules[module_name(path, package.parent)] = path
    for module, path in graph.modules.items():
        source = path.read_text()
        lines = source.splitlines()
        tree = ast.parse(source)
        skip = _type_checking_lines(tree)
        is_pkg = path.name == "__init__.py"
        for node, in_function in _walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom | ast.Call):
                continue
            if node.lineno in skip:
                continue
            for target in _targets(graph, module, is_pkg, node):
                graph.imports.append(
                    Import(
                        module,
                        target,
                        node.lineno,
                        in_function,
                        lines[node.lineno - 1].strip(),
                        _has_comment(lines, node.lineno),
                    )
                )
    return graph


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module, largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for v in sorted(edges):
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(limit)
    return sorted(out, key=len, reverse=True)


def largest_cycle(graph: Graph, *, local: bool = False) -> list[str]:
    comps = strongly_connected(graph.edges(local=local))
    return comps[0] if comps else []


def local_imports(graph: Graph) -> list[Import]:
    """Imports of jitgrad modules from inside function bodies, one per statement (its last
    module: ``from ..ops.reduce import x`` also runs ``jitgrad.ops``, counted once)."""
    last: dict[tuple[str, int], Import] = {}
    for imp in graph.imports:
        if imp.local:
            last[imp.source, imp.line] = imp
    return list(last.values())


def upward(graph: Graph) -> list[Import]:
    """Imports whose target sits in a higher layer than their source."""
    return [imp for imp in graph.imports if layer_of(imp.target) > layer_of(imp.source)]


def upward_pairs(graph: Graph) -> set[tuple[str, str]]:
    """(module, module it imports upward); grows when a module is split."""
    return {(imp.source, imp.target) for imp in upward(graph)}


def package_of(module: str) -> str:
    """``jitgrad.ops.reduce`` -> ``jitgrad.ops``; a top-level module is its own package."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else module


def upward_dependencies(graph: Graph) -> set[tuple[str, str]]:
    """(package, module it imports upward): what a layer needs from above, counted once per
    package whatever the number of its modules that import it (so splitting a file does not
    change it, and removing a dependency from every module of a package does)."""
    return {(package_of(imp.source), imp.target) for imp in upward(graph)}


def closes_cycle(graph: Graph, imp: Import) -> bool:
    """True if ``imp``, made top-level, would put its two modules in one cycle."""
    edges = graph.edges(local=False)
    seen, todo = {imp.target}, [imp.target]
    while todo:  # can the target reach the source through top-level imports?
        for nxt in edges.get(todo.pop(), ()):
            if nxt == imp.source:
                return True
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def long_files(graph: Graph, limit: int = 400) -> list[tuple[str, int]]:
    """Modules over ``limit`` lines (STYLE: files of at most ~400 lines)."""
    sizes = [(m, len(p.read_text().splitlines())) for m, p in graph.modules.items()]
    return sorted([s for s in sizes if s[1] > limit], key=lambda s: -s[1])


def long_functions(graph: Graph, limit: int = 50) -> list[tuple[str, int]]:
    """Functions over ``limit`` lines, nested ones included."""
    out = []
    for module, path in graph.modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = node.end_lineno - node.lineno + 1
                if n > limit:
                    out.append((f"{module}.{node.name}", n))
    return sorted(out, key=lambda s: -s[1])


def report(verbose: bool = False, package: Path = PACKAGE) -> str:
    g = build(package)
    top = largest_cycle(g)
    every = largest_cycle(g, local=True)
    loc = local_imports(g)
    up = upward(g)
    pairs = {(a, b) for a, b in g.edges(local=True).items() for b in b}
    lines = [
        f"modules: {len(g.modules)}, import edges (module pairs): {len(pairs)}",
        f"largest cycle, top-level imports: {len(top)} modules "
        f"({len(strongly_connected(g.edges(local=False)))} cycles)",
        f"largest cycle, counting imports inside functions: {len(every)} modules",
        f"imports inside functions: {len(loc)} "
        f"({sum(closes_cycle(g, i) for i in loc)} would close a cycle at top level, "
        f"{sum(not i.commented for i in loc)} without a comment)",
        f"upward imports: {len(up)} edges, {len(upward_pairs(g))} module pairs, "
        f"{len(upward_dependencies(g))} package -> module dependencies",
        f"files over 400 lines: {len(long_files(g))}",
        f"functions over 50 lines: {len(long_functions(g))}",
    ]
    if verbose:
        for comp in strongly_connected(g.edges(local=False)):
            lines.append(f"cycle ({len(comp)}): " + " ".join(comp))
        lines += [f"  local {i.source}:{i.line} -> {i.target}  {i.text}" for i in loc]
        lines += [
            f"  upward {i.source} ({LAYER_NAMES[layer_of(i.source)]}) -> {i.target} "
            f"({LAYER_NAMES[layer_of(i.target)]}) :{i.line}{' local' if i.local else ''}"
            for i in up
        ]
        lines += [f"  long file {m}: {n}" for m, n in long_files(g)]
        lines += [f"  long function {m}: {n}" for m, n in long_functions(g)]
    return "\n".join(lines)


if __name__ == "__main__":
    # ``--root DIR``: measure another checkout (e.g. the commit before a change)
    args = sys.argv[1:]
    root = Path(args[args.index("--root") + 1]) if "--root" in args else ROOT
    print(report(verbose="--verbose" in args, package=root / "jitgrad"))
