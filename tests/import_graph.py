"""jitgrad's import structure, read from the source with :mod:`ast` (nothing is imported).

Issue 14 wants layers that import downward: public API (nn, optim, autograd) -> Tensor front
end -> fusion -> engine -> op declarations -> kernels, with kernels, dtypes, helpers and
memory at the bottom (:data:`LAYERS`).
:mod:`tests.test_layers` holds the rules; this module measures, and run as a script it
prints the numbers the issue tracks::

    python3 tests/import_graph.py            # summary
    python3 tests/import_graph.py --verbose  # every cycle member, upward and local import
    python3 tests/import_graph.py --root DIR # another checkout's jitgrad/

What counts as an import: ``import jitgrad.x``, ``from jitgrad.x import y`` and the relative
forms, resolved to the module file they execute (``from jitgrad.ops import reduce`` is the
module ``jitgrad.frontend.reduce``; ``from jitgrad import Tensor`` is ``jitgrad`` itself), plus
``importlib.import_module("jitgrad.x")``. Imports under ``if TYPE_CHECKING:`` never run and
are skipped. An import whose statement sits inside a function body is *local*: it runs on
the first call, which is how a cycle is dodged. Importing ``jitgrad.engine.sweep`` runs
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

#: The layer of each module, higher imports lower; a module sits in the layer of what it does.
#: The first matching prefix wins (longest prefixes first), so a module can be placed apart
#: from its folder. The folders are the layers: kernels/ (0), ops/ (1), engine/ (2),
#: fusion/ (3), frontend/ with the Tensor class in it (4), autograd/ nn/ optim/ and the
#: other public packages (5), the ``jitgrad`` namespace (6). The engine sits below fusion
#: because that is how they import: fusion's planner, fused backward groups and replay cache
#: read the engine's node types and buffers, and the engine calls them through the slots
#: they fill (``engine.sweep.ABOVE``), never by importing them. Fusion's on/off switch is a
#: mode beside grad mode (``engine.fusion_mode``), read by the engine, fusion and the front end.
LAYERS: dict[str, int] = {
    # bottom: hand-written kernels and the helpers they may use
    "jitgrad.kernels": 0,
    "jitgrad.helpers": 0,
    "jitgrad.dtypes": 0,
    "jitgrad.lowp": 0,  # float16/bfloat16 rounding, no jitgrad imports
    "jitgrad.autocast_state": 0,  # the autocast region's dtype: the ops read it
    "jitgrad.range_values": 0,  # arange's float values as PyTorch's CPU kernel rounds them
    "jitgrad.memory": 0,
    "jitgrad.launchlog": 0,
    "jitgrad.version": 0,
    # the switch every path reads (one attribute): the device backend's
    "jitgrad.backends": 0,
    "jitgrad.backends.meta_array": 0,  # a buffer type, no jitgrad imports
    "jitgrad.nn._kernels": 0,
    # device backends: the CUDA renderer beside fusion's CPU one; the device's dispatch,
    # fusion and ops beside the CPU front end; the wrappers of the public namespace above it
    "jitgrad.backends.cuda.render": 3,
    "jitgrad.backends.cuda.elementwise": 4,
    "jitgrad.backends.cuda.deferred": 4,  # device forward fusion, beside frontend.lazy
    "jitgrad.backends.cuda.fused_backward": 4,  # device backward groups
    "jitgrad.backends.cuda.joint": 4,  # device joint forward+backward groups
    "jitgrad.backends.cuda.native": 4,
    "jitgrad.backends.cuda.rows": 4,
    "jitgrad.backends.cuda.reductions": 4,
    "jitgrad.backends.cuda.linalg": 4,
    "jitgrad.backends.cuda.views": 4,
    "jitgrad.backends.cuda.aliasing": 4,
    "jitgrad.backends.cuda.setitem": 4,
    "jitgrad.backends.cuda.joining": 4,
    "jitgrad.backends.cuda.selecting": 4,  # max/min with dim, gather, index_select, flip
    "jitgrad.backends.cuda.complex_views": 4,
    "jitgrad.backends.cuda.random": 4,
    "jitgrad.backends.cuda.spread": 4,  # var/std on the device
    "jitgrad.backends.cuda.scans": 4,  # cumsum/cumprod on the device
    "jitgrad.backends.cuda.storage": 4,  # resize_/set_/as_strided_ on the device
    "jitgrad.backends.cuda.index_add": 4,  # index_add/scatter_add on the device
    "jitgrad.backends.cuda.index_copy": 4,  # index_copy, 0-d index_add on the device
    "jitgrad.backends.cuda.index_put": 4,  # index_put, t[idx] = v on the device
    "jitgrad.backends.cuda.sorting": 4,  # sort/topk/median/cummax/masked_select on the device
    "jitgrad.backends.cuda.masks": 4,  # nonzero/argwhere/x[mask] on the device
    "jitgrad.backends.cuda.transfer": 4,
    "jitgrad.backends.dlpack": 4,
    "jitgrad.backends.cuda.nn_rows": 5,  # device kernels under the nn layer's declarations
    "jitgrad.backends.cuda.nn_windows": 5,  # pools, batch_norm: the nn layer's helpers
    "jitgrad.backends.cuda.nn_conv": 5,  # convolutions: the nn layer's helpers
    "jitgrad.backends.cuda.nn_resample": 5,  # F.interpolate: the nn layer's plan
    "jitgrad.backends.cuda.nn_losses": 5,  # nll_loss: the nn layer's declarations
    "jitgrad.backends.cuda.complex_elementwise": 5,  # complex_api's angle on the device
    "jitgrad.backends.cuda.float_bits": 5,  # frexp on the device: math_extra's result type
    "jitgrad.backends.cuda.fallback": 5,  # wraps the public namespace
    "jitgrad.backends.cuda.api": 5,
    "jitgrad.backends.opwrap": 5,  # wraps the public namespace for a backend
    "jitgrad.backends.meta": 5,  # the meta device: wraps the public namespace
    "jitgrad.backends.meta_tensor": 4,  # meta tensors, moves and nodes, beside the front end
    # op declarations: elementwise expressions, the registry, the saved-values record
    "jitgrad.ops": 1,
    # the engine: grad mode, nodes, saved-tensor hooks, the backward sweep
    "jitgrad.engine": 2,
    # fusion: planner, the one lowering, the CPU renderer, kernel caches, backward groups,
    # the replay cache in front of the sweep
    "jitgrad.fusion": 3,
    # the Tensor front end: the Tensor class, dispatch and op runners, deferral, recording,
    # creation, argument checks and PyTorch's messages, random sampling, printing, the *_copy
    # view ops, the progress bar (all in frontend/); torch.random and torch.cuda beside it
    # (public module names, so they stay where programs import them)
    "jitgrad.frontend": 4,
    "jitgrad.random": 4,
    "jitgrad.random_torch": 4,  # PyTorch's transforms on the twister, behind jitgrad.random
    "jitgrad.random_samplers": 4,  # its other samplers (gamma, binomial...), Numba kernels
    "jitgrad.cuda": 4,  # torch.cuda: device queries, the device moves of Tensor.to
    # the public API: torch.* functions and Tensor methods (bound onto the class), torch.autograd,
    # nn, optim and everything built on them
    "jitgrad.methods": 5,
    "jitgrad.tensor_query": 5,  # Tensor methods bound by tensor_api
    "jitgrad.tensor_inplace": 5,
    "jitgrad.methods_overwrite": 5,
    "jitgrad.tensor_api": 5,
    "jitgrad.tensor_storage": 5,  # Tensor.untyped_storage(): a view of the data, beside the methods
    "jitgrad.typeinfo": 5,  # torch.finfo, iinfo, result_type
    "jitgrad.linalg": 5,
    "jitgrad.special": 5,
    "jitgrad.profiler": 5,
    "jitgrad.autograd": 5,
    "jitgrad.nn": 5,
    "jitgrad.optim": 5,
    "jitgrad.utils": 5,
    "jitgrad.func": 5,
    "jitgrad.distributions": 5,
    "jitgrad.jit": 5,
    "jitgrad.serialization": 5,
    "jitgrad._torch_unpickle": 5,
    "jitgrad._torch_format": 5,
    "jitgrad._torch_zip": 5,  # torch.save's zip container, written for _torch_format
    "jitgrad.amp": 5,
    "jitgrad.legacy_tensors": 5,  # torch.FloatTensor ...: constructors and isinstance checks
    "jitgrad.capture": 5,
    "jitgrad.viz": 5,
    "jitgrad.explain": 5,
    "jitgrad.explain_forward": 5,
    "jitgrad.explain_backward": 5,
    # torch.* functions beyond the core, bound into the namespace and onto Tensor
    **{
        "jitgrad." + m: 5
        for m in (
            "api_more api_names api_small api_tensor_more aten_forms functional_aliases "
            "torch_aliases math_extra reduce_extra scatter_extra random_methods "
            "window_functions inference eager_control numeric_gradient device_modules "
            "compiler _dynamo distributed multiprocessing testing complex_api fft "
            "spectral"
        ).split()
    },
    "jitgrad.demo": 6,
    "jitgrad.demo_data": 6,
    "jitgrad": 6,  # the package namespace re-exports everything; unlisted modules sit here
}

LAYER_NAMES = ["kernels/helpers", "ops", "engine", "fusion", "frontend", "public API", "top"]


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
    #: (module, line, the absolute dotted name imported), before resolving to a module file:
    #: how a name that is no file (an old path registered in ``sys.modules``) is seen
    names: list[tuple[str, int, str]] = field(default_factory=list)

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


def _names(graph: Graph, module: str, is_pkg: bool, node: ast.AST) -> list[str]:
    """The absolute dotted names one import node imports (may be empty)."""
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
    return names


def _targets(graph: Graph, names: list[str], module: str) -> list[str]:
    """The jitgrad modules importing ``names`` executes (may be empty)."""
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
            names = _names(graph, module, is_pkg, node)
            graph.names += [(module, node.lineno, n) for n in names]
            for target in _targets(graph, names, module):
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
    module: ``from ..frontend.reduce import x`` also runs ``jitgrad.frontend``, counted once)."""
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
    """``jitgrad.frontend.reduce`` -> ``jitgrad.ops``; a top-level module is its own package."""
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
