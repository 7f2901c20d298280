"""Record real PyTorch's output of every corpus program into ``corpus_expected.json``.

Run with a Python that has PyTorch (never jitgrad): ``/path/to/torch/python
tests/parity/record_corpus.py [NAME ...]`` (names: record only those programs and keep the
file's other recordings; none: record every program). ``tests/test_corpus.py`` runs the same
programs under jitgrad and compares against the file, so it needs no PyTorch. Both sides get
the same random draws (``same_random``); everything else is each library's own.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE.parent / "programs" / "corpus"


def main() -> None:
    import torch  # noqa: F401  (fail here, not in the runner, when torch is absent)

    names = sys.argv[1:]
    programs = sorted(str(p) for p in CORPUS.glob("*.py") if not names or p.stem in names)
    if names and len(programs) != len(set(names)):
        raise SystemExit(f"no such program among {names}")
    proc = subprocess.run(
        [sys.executable, str(HERE / "corpus_runner.py"), "torch", *programs],
        capture_output=True,
        text=True,
        check=True,
    )
    results = json.loads(proc.stdout)
    for name, res in results.items():
        if res["error"]:
            raise SystemExit(f"{name} fails under PyTorch: {res['error']}")
        del res["seconds"], res["cpu"]
    path = HERE / "corpus_expected.json"
    if names:
        results = {**json.loads(path.read_text())["programs"], **results}
    out = {"torch_version": torch.__version__, "programs": results}
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(results)} programs to {path}")


if __name__ == "__main__":
    main()
