"""Optimizer trajectories run identically by PyTorch (recording) and jitgrad (testing).

``run(torch, name)`` takes the library as an argument: a tiny least-squares-with-tanh model in
float64 (and one float32 case), a few optimizer steps, and the parameters after each step.
``record_nnmore_optim.py`` stores PyTorch's results in ``tests/fixtures/nnmore_optim.json``.
"""

from __future__ import annotations

from typing import Any

CASES: dict[str, tuple[str, dict[str, Any], str]] = {
    "adamax": ("Adamax", {"lr": 0.05}, "float64"),
    "adamax_wd_max": ("Adamax", {"lr": 0.05, "weight_decay": 0.1, "maximize": True}, "float64"),
    "nadam": ("NAdam", {"lr": 0.05}, "float64"),
    "nadam_wd": ("NAdam", {"lr": 0.05, "weight_decay": 0.1}, "float64"),
    "nadam_dwd": ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
                  "float64"),
    "radam": ("RAdam", {"lr": 0.05}, "float64"),
    "radam_dwd": ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
                  "float64"),
    "rprop": ("Rprop", {"lr": 0.05}, "float64"),
    "rprop_max": ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "maximize": True}, "float64"),
    "asgd": ("ASGD", {"lr": 0.05}, "float64"),
    "asgd_t0": ("ASGD", {"lr": 0.05, "t0": 3, "lambd": 0.01, "weight_decay": 0.1}, "float64"),
    "lbfgs": ("LBFGS", {"lr": 0.5, "max_iter": 5, "history_size": 3}, "float64"),
    "lbfgs_wolfe": ("LBFGS", {"lr": 1, "max_iter": 6, "line_search_fn": "strong_wolfe"},
                    "float64"),
    "adamax_f32": ("Adamax", {"lr": 0.05}, "float32"),
    "nadam_f32": ("NAdam", {"lr": 0.05}, "float32"),
    "radam_f32": ("RAdam", {"lr": 0.05}, "float32"),
    "asgd_f32": ("ASGD", {"lr": 0.05, "t0": 2}, "float32"),
    "lbfgs_f32": ("LBFGS", {"lr": 1, "max_iter": 4, "line_search_fn": "strong_wolfe"},
                  "float32"),
}  # fmt: skip

STEPS = 8


def run(torch: Any, name: str) -> dict[str, Any]:
    """Parameters after every step, the losses the steps returned, and the state's keys."""
    cls_name, kwargs, dtype_name = CASES[name]
    dtype = getattr(torch, dtype_name)
    x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-1.0, 1.0, 0.75], [0.1, 0.2, 0.3]],
                     dtype=dtype)  # fmt: skip
    y = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [-0.5, 0.25]], dtype=dtype)
    w = torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.0, -0.1]], dtype=dtype, requires_grad=True)
    b = torch.tensor([0.05, -0.05], dtype=dtype, requires_grad=True)
    opt = getattr(torch.optim, cls_name)([w, b], **kwargs)

    def closure() -> Any:
        opt.zero_grad()
        loss = ((torch.tanh(x @ w.t() + b) - y) ** 2).mean()
        loss.backward()
        return loss

    params, losses = [], []
    for _ in range(STEPS if cls_name != "LBFGS" else 3):
        if cls_name == "LBFGS":
            losses.append(float(opt.step(closure)))
        else:
            losses.append(float(closure()))
            opt.step()
        params.append(w.detach().reshape(-1).tolist() + b.detach().tolist())
    sd = opt.state_dict()
    return {
        "params": params,
        "losses": losses,
        "state_keys": sorted(sd["state"][0].keys()),
        "group_keys": sorted(k for k in sd["param_groups"][0] if k != "params"),
    }


def lbfgs_exact(torch: Any) -> dict[str, Any]:
    """LBFGS (float32, strong Wolfe) on an elementwise loss of two parameters: every gradient
    and loss is a chain of correctly rounded operations (no reduction order, no library call),
    the same bits in both libraries, so the trajectories differ only where the optimizer's own
    arithmetic rounds differently."""
    w = torch.tensor([0.1, -0.7], dtype=torch.float32, requires_grad=True)
    a = torch.tensor([1.3, 0.45], dtype=torch.float32)
    c = torch.tensor([3.0, 0.7], dtype=torch.float32)
    opt = torch.optim.LBFGS([w], lr=1, max_iter=4, line_search_fn="strong_wolfe")

    def closure() -> Any:
        opt.zero_grad()
        q = w - a
        q2 = q * q
        loss = (q2 * q2 * c + q2).sum()
        loss.backward()
        return loss

    losses, params = [], []
    for _ in range(3):
        losses.append(float(opt.step(closure).detach()))
        params.append(w.detach().tolist())
    return {"losses": losses, "params": params}
