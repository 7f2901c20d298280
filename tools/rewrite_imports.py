"""Rewrite imports (and dotted names, file paths in text) after modules move.

Usage::

    python3 tools/rewrite_imports.py MAPPING [--move] [--root DIR] [PATH ...]

``MAPPING`` has one move a line, ``old.module -> new.module`` (``#`` starts a comment),
optionally followed by flags in brackets: ``old -> new [public-name]`` says the old dotted
name is also a public name (``jitgrad.tensor`` the module and ``jitgrad.tensor(...)`` the
function), so plain text is rewritten only where it names the module: an attribute path
(``jitgrad.tensor.Tensor``), a whole quoted string (``"jitgrad.tensor"``), ``:mod:`` roles and
file paths; and ``from jitgrad import tensor`` (the function) is left.
``--move`` first moves each old module's file to its new place with ``git mv`` (skipped when
the old file is gone or the new one exists); without it the files are assumed moved already
(e.g. after merging the
branch that moved them), which is how to apply the same moves to another branch's new code.
``PATH``s (files or folders; default ``jitgrad tests perf docs tools README.md``) are
rewritten in place:

* ``import a.b`` / ``from a.b import x`` / ``from a import b`` naming a moved module get its
  new name (``from pkg import mod`` whose module went to another package, or was renamed,
  becomes ``from newpkg import newmod as mod``, so the code using ``mod`` is unchanged);
* relative imports keep their style; one that no longer resolves from the file's new place
  (it was written for the old place) is resolved from the old place, mapped, and rewritten
  relative to the new place;
* in every file, full dotted names (``jitgrad.ops.pointwise``) and paths
  (``jitgrad/ops/pointwise.py``, ``ops/pointwise.py``) in strings and comments; in Markdown
  also the short dotted form (``ops.pointwise``).

This script and the mapping file are never rewritten, nor a file that says
``rewrite_imports: keep this file`` (a test of the old paths).

An old module still present beside its new one is a compatibility path kept on purpose
(``jitgrad.autograd.grad_mode``, ``jitgrad.autograd.graph``): references to it are left.
A file that does not parse (a merge conflict left in it) gets only the text rewrite: resolve
the conflict, then run the script again. Running it twice changes nothing the second time.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

DEFAULT_PATHS = ["jitgrad", "tests", "perf", "docs", "tools", "README.md"]
PACKAGE = "jitgrad"


def read_mapping(path: Path) -> dict[str, str]:
    return {old: new for old, (new, _flags) in read_entries(path).items()}


def read_entries(path: Path) -> dict[str, tuple[str, frozenset[str]]]:
    """old module -> (new module, flags) (see the module docstring)."""
    entries: dict[str, tuple[str, frozenset[str]]] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            flags: frozenset[str] = frozenset()
            if line.endswith("]") and "[" in line:
                line, _, tail = line[:-1].rpartition("[")
                flags = frozenset(f.strip() for f in tail.split(",") if f.strip())
            old, new = (s.strip() for s in line.split("->"))
            entries[old] = (new, flags)
    return entries


def module_file(root: Path, module: str) -> Path | None:
    """The file that defines ``module`` under ``root``, if there is one."""
    base = root.joinpath(*module.split("."))
    for cand in (base.with_suffix(".py"), base / "__init__.py"):
        if cand.is_file():
            return cand
    return None


def module_of(root: Path, path: Path) -> tuple[str, bool]:
    """(dotted name, is a package) of the Python file ``path``."""
    parts = list(path.resolve().relative_to(root.resolve()).with_suffix("").parts)
    is_pkg = parts[-1] == "__init__"
    if is_pkg:
        parts.pop()
    return ".".join(parts), is_pkg


def git_move(root: Path, moves: dict[str, str]) -> None:
    for old, new in moves.items():
        src = module_file(root, old)
        if src is None:
            continue
        dst = root.joinpath(*new.split(".")).with_suffix(".py")
        if dst.exists():  # moved already (an old path left as a compatibility module)
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        init = dst.parent / "__init__.py"
        if not init.exists():
            init.write_text(f'"""{new.rpartition(".")[0]}."""\n')
            subprocess.run(["git", "add", str(init)], cwd=root, check=True)
        subprocess.run(["git", "mv", str(src), str(dst)], cwd=root, check=True)


class Rewriter:
    def __init__(self, root: Path, moves: dict[str, str], public: frozenset[str] = frozenset()):
        self.root = root
        self.moves = moves
        self.public = public  # old names that are also public names (``public-name``)
        self.back = {new: old for old, new in moves.items()}

    # -- names ------------------------------------------------------------------------
    def map_name(self, name: str) -> str:
        """``name`` (a module, or a module's attribute path) after the moves."""
        best = ""
        for old in self.moves:
            if (name == old or name.startswith(old + ".")) and len(old) > len(best):
                best = old
        return self.moves[best] + name[len(best) :] if best else name

    def exists(self, name: str) -> bool:
        return module_file(self.root, name) is not None

    @staticmethod
    def relative(target: str, here: str, is_pkg: bool) -> str:
        """``target`` written relative to module ``here`` (dots plus the rest)."""
        base = here.split(".") if is_pkg else here.split(".")[:-1]
        tparts = target.split(".")
        common = 0
        while common < len(base) and common < len(tparts) and base[common] == tparts[common]:
            common += 1
        level = len(base) - common + 1
        return "." * level + ".".join(tparts[common:])

    @staticmethod
    def absolute(module: str | None, level: int, here: str, is_pkg: bool) -> str:
        base = here.split(".") if is_pkg else here.split(".")[:-1]
        base = base[: len(base) - (level - 1)]
        return ".".join(base + ([module] if module else []))

    # -- one file ---------------------------------------------------------------------
    def rewrite_python(self, path: Path, text: str) -> str:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            return text
        here, is_pkg = module_of(self.root, path) if self._inside(path) else ("", False)
        old_here = self.back.get(here, here)
        lines = text.splitlines(keepends=True)
        edits: list[tuple[int, int, str]] = []  # (first line, last line, replacement)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                new = self._from(node, lines, here, old_here, is_pkg)
            elif isinstance(node, ast.Import):
                new = self._import(node, lines)
            else:
                continue
            if new is not None:
                edits.append((node.lineno, node.end_lineno or node.lineno, new))
        for first, last, new in sorted(edits, reverse=True):
            lines[first - 1 : last] = [new]
        return "".join(lines)

    def _inside(self, path: Path) -> bool:
        try:
            path.resolve().relative_to((self.root / PACKAGE).resolve())
            return True
        except ValueError:
            return False

    def _import(self, node: ast.Import, lines: list[str]) -> str | None:
        changed = False
        parts = []
        for alias in node.names:
            new = self.map_name(alias.name)
            changed |= new != alias.name
            if new != alias.name and alias.asname is None and "." in alias.name:
                # ``import a.b.c`` binds ``a``: the new dotted name is used through the text
                parts.append(new)
            else:
                parts.append(new + (f" as {alias.asname}" if alias.asname else ""))
        if not changed:
            return None
        indent = re.match(r"\s*", lines[node.lineno - 1]).group(0)
        tail = self._comment(lines, node)
        return f"{indent}import {', '.join(parts)}{tail}\n"

    def _from(self, node, lines, here, old_here, is_pkg) -> str | None:
        if node.level:
            if not here:
                return None
            target = written = self.absolute(node.module, node.level, here, is_pkg)
            if old_here != here and not self._resolves(target, node):
                target = self.absolute(node.module, node.level, old_here, is_pkg)
            if not (target == PACKAGE or target.startswith(PACKAGE + ".")):
                return None
        else:
            target = written = node.module or ""
            if not (target == PACKAGE or target.startswith(PACKAGE + ".")):
                return None
        # group the names by the module each ends up imported from
        groups: dict[str, list[str]] = {}
        for alias in node.names:
            text = alias.name + (f" as {alias.asname}" if alias.asname else "")
            sub = f"{target}.{alias.name}"
            if alias.name != "*" and sub in self.moves and sub not in self.public:
                parent, _, leaf = self.moves[sub].rpartition(".")
                parent = self.map_name(parent)  # (a name moved into a module moved since)
                bound = alias.asname or alias.name
                groups.setdefault(parent, []).append(
                    leaf if leaf == bound else f"{leaf} as {bound}"
                )
            else:
                groups.setdefault(self.map_name(target), []).append(text)
        originals = [a.name + (f" as {a.asname}" if a.asname else "") for a in node.names]
        if list(groups) == [written] and groups[written] == originals:
            return None
        indent = re.match(r"\s*", lines[node.lineno - 1]).group(0)
        out = []
        for module, names in groups.items():
            spec = self.relative(module, here, is_pkg) if node.level else module
            out.append(f"{indent}from {spec} import {', '.join(names)}")
        first = lines[node.lineno - 1]
        if len(out) == 1 and node.lineno == node.end_lineno:
            return self._wrap(out[0] + self._comment(lines, node)) + "\n"
        if len(out) == 1 and "(" in first and next(iter(groups.values())) == originals:
            # keep the parenthesised body (its comments) and change the module only
            spec = out[0].split(" import ", 1)[0]
            body = "".join(lines[node.lineno - 1 : node.end_lineno])
            return re.sub(r"^\s*from\s+\S+\s+import", lambda m: spec + " import", body, count=1)
        return "\n".join(self._wrap(s) for s in out) + "\n"

    def _resolves(self, target: str, node) -> bool:
        """True if ``from <target> import names`` works in the tree as it is now."""
        if not self.exists(target):
            return False
        return all(
            alias.name == "*"
            or self.exists(f"{target}.{alias.name}")
            or self._defines(target, alias.name)
            for alias in node.names
        )

    def _defines(self, module: str, name: str) -> bool:
        path = module_file(self.root, module)
        if path is None:
            return False
        return re.search(rf"(^|\W){re.escape(name)}\b", path.read_text()) is not None

    @staticmethod
    def _comment(lines: list[str], node) -> str:
        line = lines[node.end_lineno - 1].rstrip("\n")
        code_end = line.find("#")
        return "  " + line[code_end:].strip() if code_end > 0 else ""

    @staticmethod
    def _wrap(stmt: str, width: int = 100) -> str:
        if len(stmt) <= width:
            return stmt
        head, names = stmt.split(" import ", 1)
        indent = re.match(r"\s*", head).group(0)
        body = "".join(f"{indent}    {n.strip()},\n" for n in names.split(","))
        return f"{head} import (\n{body}{indent})"

    # -- text -------------------------------------------------------------------------
    def rewrite_text(self, text: str, markdown: bool) -> str:
        for old in sorted(self.moves, key=len, reverse=True):
            new = self.moves[old]
            if old in self.public:  # only where it names the module (see the docstring)
                name = re.escape(old)
                text = re.sub(rf"(?<![\w.]){name}(?=\.[A-Za-z_])", new, text)
                text = re.sub(rf"([\"']){name}\1", rf"\g<1>{new}\g<1>", text)
                text = re.sub(rf":mod:`{name}`", f":mod:`{new}`", text)
            else:
                text = re.sub(rf"(?<![\w.]){re.escape(old)}(?!\w)", new, text)
            old_path, new_path = old.replace(".", "/"), new.replace(".", "/")
            text = re.sub(rf"(?<![\w/]){re.escape(old_path)}\.py\b", new_path + ".py", text)
            short_old = old_path.split("/", 1)[1]
            short_new = new_path.split("/", 1)[1]
            text = re.sub(rf"(?<![\w/.]){re.escape(short_old)}\.py\b", short_new + ".py", text)
            if markdown:
                s_old, s_new = old.split(".", 1)[1], new.split(".", 1)[1]
                if "." in s_old:
                    text = re.sub(rf"(?<![\w./]){re.escape(s_old)}(?![\w/])", s_new, text)
        return text


def files(root: Path, paths: list[str], skip: set[str]):
    for p in paths:
        path = (root / p) if not Path(p).is_absolute() else Path(p)
        if path.is_file() and path.name not in skip:
            yield path
        elif path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.suffix in (".py", ".md", ".txt", ".toml", ".cfg") and "results" not in f.parts:
                    if f.name not in skip:
                        yield f


def main(argv: list[str]) -> int:
    args = list(argv)
    move = "--move" in args
    if move:
        args.remove("--move")
    root = Path.cwd()
    if "--root" in args:
        i = args.index("--root")
        root = Path(args[i + 1])
        del args[i : i + 2]
    if not args:
        print(__doc__)
        return 2
    entries = read_entries(Path(args[0]))
    moves = {old: new for old, (new, _flags) in entries.items()}
    if move:
        git_move(root, moves)
    # an old module that is still there beside its new one is kept on purpose (a
    # compatibility path, e.g. ``jitgrad.autograd.grad_mode``): references to it stay
    moves = {
        old: new
        for old, new in moves.items()
        if not (module_file(root, old) and module_file(root, new))
    }
    public = frozenset(old for old, (_new, flags) in entries.items() if "public-name" in flags)
    rw = Rewriter(root, moves, public)
    changed = 0
    skip = {Path(__file__).name, Path(args[0]).name}  # (any copy of them)
    for f in files(root, args[1:] or DEFAULT_PATHS, skip):
        text = f.read_text()
        if "rewrite_imports: keep this file" in text:
            continue
        new = rw.rewrite_python(f, text) if f.suffix == ".py" else text
        new = rw.rewrite_text(new, markdown=f.suffix == ".md")
        if new != text:
            f.write_text(new)
            changed += 1
    print(f"rewrote {changed} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
