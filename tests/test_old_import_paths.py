"""The Tensor's modules moved into ``jitgrad/frontend/`` (issue 14); their old import paths
(``jitgrad.<name>``) are the same module objects (registered by ``jitgrad/__init__``), and
pickles made before the move still load.

This file names the old paths on purpose: ``tools/rewrite_imports.py`` skips it (rewrite_imports:
keep this file).

The old pickles below were made by ``pickle.dumps(..., protocol=4)`` on the tree before the
move (the classes then pickled by their module's path, ``jitgrad.frontend.tensor_meta``).
"""

# rewrite_imports: keep this file (its old paths are the point)

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys

import pytest

import jitgrad as torch

#: pickle.dumps(torch.device("cpu"), protocol=4) before the move
OLD_DEVICE = (
    b"\x80\x04\x95C\x00\x00\x00\x00\x00\x00\x00\x8c\x13jitgrad.tensor_meta\x94\x8c\x06device"
    b"\x94\x93\x94)\x81\x94N}\x94(\x8c\x04type\x94\x8c\x03cpu\x94\x8c\x05index\x94Nu\x86\x94b."
)
#: pickle.dumps(torch.ones(2).shape, protocol=4) before the move
OLD_SIZE = (
    b"\x80\x04\x95(\x00\x00\x00\x00\x00\x00\x00\x8c\x13jitgrad.tensor_meta\x94\x8c\x04Size\x94"
    b"\x93\x94K\x02\x85\x94\x85\x94\x81\x94."
)


def test_old_paths_are_the_new_modules():
    from jitgrad.frontend.creation import zeros
    from jitgrad.frontend.tensor import Tensor, _make
    from jitgrad.frontend.tensor_meta import Size

    assert Tensor is torch.Tensor and Size is torch.Size
    assert zeros is sys.modules["jitgrad.frontend.creation"].zeros
    assert _make is sys.modules["jitgrad.frontend.tensor"]._make
    for old in ("tensor", "tensor_meta", "creation"):
        assert sys.modules[f"jitgrad.{old}"] is sys.modules[f"jitgrad.frontend.{old}"]


#: the front-end modules moved from the top level into frontend/ after the Tensor's
FRONT_END_MOVES = ("argcheck", "overloads", "sampling", "_printing", "copy_ops", "progress")


@pytest.mark.parametrize("old", FRONT_END_MOVES)
def test_old_paths_of_the_moved_front_end_modules_are_the_new_modules(old):
    new = importlib.import_module(f"jitgrad.frontend.{old}")
    assert new.__name__ == f"jitgrad.frontend.{old}"
    assert importlib.import_module(f"jitgrad.{old}") is new
    assert sys.modules[f"jitgrad.{old}"] is new


def test_old_front_end_paths_import_their_names():
    from jitgrad._printing import format_tensor
    from jitgrad.progress import ProgressBar
    from jitgrad.sampling import rand

    # (torch.rand is the module's function wrapped with the package's argument check)
    assert rand is sys.modules["jitgrad.frontend.sampling"].rand and rand(3).shape == (3,)
    assert format_tensor is sys.modules["jitgrad.frontend._printing"].format_tensor
    assert ProgressBar is sys.modules["jitgrad.frontend.progress"].ProgressBar
    # the modules imported at package load stay attributes of the package, as before the move
    for old in ("argcheck", "overloads", "sampling", "_printing", "copy_ops"):
        assert getattr(torch, old) is sys.modules[f"jitgrad.frontend.{old}"]


def test_importing_the_old_tensor_path_keeps_torch_tensor_the_function():
    # a fresh interpreter: the first import of the module ``jitgrad.tensor`` must not rebind
    # the package's attribute ``tensor`` (torch.tensor) to the module
    code = (
        "import jitgrad, jitgrad.tensor, jitgrad.frontend.creation\n"
        "from jitgrad.tensor import Tensor\n"
        "t = jitgrad.tensor([1.0, 2.0])\n"
        "assert type(t) is Tensor and callable(jitgrad.tensor), jitgrad.tensor\n"
        "print(type(jitgrad.tensor).__name__)\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "function"


def test_pickles_made_before_the_move_load():
    dev = pickle.loads(OLD_DEVICE)
    assert type(dev) is torch.device and dev == torch.device("cpu")
    size = pickle.loads(OLD_SIZE)
    assert type(size) is torch.Size and size == (2,)


def test_size_and_device_pickle_by_their_public_names():
    # as torch.Size and torch.device do: the pickle names the namespace, not a file
    assert b"\x8c\x07jitgrad\x94\x8c\x04Size" in pickle.dumps(torch.Size([2, 3]), protocol=4)
    assert b"\x8c\x07jitgrad\x94\x8c\x06device" in pickle.dumps(torch.device("cpu"), protocol=4)
    assert repr(type(torch.ones(2).shape)) == "<class 'jitgrad.Size'>"
    assert repr(torch.Tensor) == "<class 'jitgrad.Tensor'>"
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    back = pickle.loads(pickle.dumps(t))
    assert type(back) is torch.Tensor and back.requires_grad and back.tolist() == [1.0, 2.0]
    assert pickle.loads(pickle.dumps(t.shape)) == t.shape
