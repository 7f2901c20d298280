"""``nn.utils.parametrizations``: ``orthogonal``, ``spectral_norm`` and ``weight_norm`` built on
:mod:`parametrize`, with PyTorch's state (``original``/``original0``/``original1``, ``_u``/``_v``
and ``base`` buffers, so ``state_dict`` keys match) and formulas.

``spectral_norm`` divides the weight by its largest singular value, estimated by power
iteration (15 steps at registration, ``n_power_iterations`` per training forward, without
gradient). ``orthogonal`` maps an unconstrained matrix to an orthogonal one through the matrix
exponential, the Cayley map or a product of Householder reflections, multiplied by a ``base``
(the initial weight made orthogonal) when ``use_trivialization``.
"""

from __future__ import annotations

import numpy as np

from ...engine.grad_mode import no_grad
from ...frontend.creation import eye, zeros
from ...frontend.linalg_decomp import solve
from ...frontend.linalg_householder import householder_product
from ...frontend.linalg_more import matrix_exp
from ...frontend.movement import cat
from ...frontend.sampling import randn
from ...frontend.tensor import Tensor, _make
from .._functional_activation import normalize
from ..conv import ConvTranspose2d
from ..module import Module
from .parametrize import register_parametrization
from .weight_norm import norm_except_dim


def weight_matrix(weight: Tensor, dim: int) -> Tensor:
    """``weight`` as a matrix with ``dim`` as its rows (spectral norm's view of it)."""
    if dim != 0:
        order = [dim, *[d for d in range(weight.dim()) if d != dim]]
        weight = weight.permute(*order)
    return weight.flatten(1)


def power_iteration(w: Tensor, u: Tensor, v: Tensor, steps: int, eps: float) -> None:
    """``steps`` power-iteration steps on ``w``, updating the unit vectors ``u``, ``v``
    in place (no gradient), ``u`` first as PyTorch's parametrization does."""
    with no_grad():
        for _ in range(steps):
            u.copy_(normalize(w.mv(v), dim=0, eps=eps))
            v.copy_(normalize(w.mT.mv(u), dim=0, eps=eps))


class _SpectralNorm(Module):
    def __init__(
        self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        super().__init__()
        ndim = weight.dim()
        if dim >= ndim or dim < -ndim:
            raise IndexError(
                "Dimension out of range (expected to be in range of "
                f"[-{ndim}, {ndim - 1}] but got {dim})"
            )
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            w = weight_matrix(weight.detach(), self.dim)
            h, wd = w.shape
            self.register_buffer("_u", normalize(randn(h, dtype=w.dtype), dim=0, eps=eps))
            self.register_buffer("_v", normalize(randn(wd, dtype=w.dtype), dim=0, eps=eps))
            power_iteration(w, self._u, self._v, 15, eps)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.dim() == 1:
            return normalize(weight, dim=0, eps=self.eps)
        w = weight_matrix(weight, self.dim)
        if self.training:
            power_iteration(w.detach(), self._u, self._v, self.n_power_iterations, self.eps)
        u, v = self._u.clone(), self._v.clone()
        sigma = u.dot(w.mv(v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """Divide ``module.<name>`` by its spectral norm on every access."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, ConvTranspose2d) else 0
    register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / norm_except_dim(weight_v, 2, self.dim))

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """``module.<name> = g * v / ||v||`` with ``original0 = g`` and ``original1 = v``."""
    register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


_MAPS = ("matrix_exp", "cayley", "householder")


def _make_orthogonal(a: Tensor) -> Tensor:
    """The Q of ``a``'s QR decomposition with R's diagonal made positive."""
    q, r = np.linalg.qr(a.detach().numpy())
    signs = np.sign(np.diagonal(r, axis1=-2, axis2=-1))
    return _make(np.ascontiguousarray(q * signs[..., None, :]), a._dtype)


class _Orthogonal(Module):
    def __init__(self, weight: Tensor, orthogonal_map: str, use_trivialization: bool) -> None:
        super().__init__()
        self.shape = tuple(weight.shape)
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, x: Tensor) -> Tensor:
        n, k = x.shape[-2:]
        transposed = n < k
        if transposed:
            x = x.mT
            n, k = k, n
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            x = x.tril()
            if n != k:
                x = cat([x, zeros(*x.shape[:-1], n - k, dtype=x.dtype)], -1)
            a = x - x.mT
            if self.orthogonal_map == "matrix_exp":
                q = matrix_exp(a)
            else:
                i = eye(n, dtype=x.dtype)
                q = solve(i - 0.5 * a, i + 0.5 * a)
            if n != k:
                q = q[..., :k]
        else:
            a = x.tril(-1)
            tau = 2.0 / (1.0 + (a * a).sum(-2))
            q = householder_product(a, tau)  # PyTorch's node: LinalgHouseholderProductBackward0
            q = q * x.diagonal(0, -2, -1).int().unsqueeze(-2)
        if getattr(self, "base", None) is not None:
            q = self.base @ q
        return q.mT if transposed else q

    def right_inverse(self, q: Tensor) -> Tensor:
        if tuple(q.shape) != self.shape:
            raise ValueError(
                f"Expected a matrix or batch of matrices of shape {self.shape}. "
                f"Got a tensor of shape {tuple(q.shape)}."
            )
        q_init = q
        n, k = q.shape[-2:]
        if n < k:
            q = q.mT
            n, k = k, n
        if "base" not in self._buffers:
            raise NotImplementedError(
                "assigning to orthogonal without use_trivialization is not implemented in "
                "jitgrad"
            )
        if n != k:
            q = cat([q, randn(*q.shape[:-1], n - k, dtype=q.dtype)], -1)
        self.base = _make_orthogonal(q)
        eye_ = np.eye(*q_init.shape[-2:], dtype=q_init._dtype.np)
        neg_id = np.broadcast_to(np.where(eye_ == 1, -1, 0).astype(eye_.dtype), q_init.shape)
        return _make(np.ascontiguousarray(neg_id), q_init._dtype)


def orthogonal(
    module: Module,
    name: str = "weight",
    orthogonal_map: str | None = None,
    *,
    use_trivialization: bool = True,
) -> Module:
    """Constrain ``module.<name>`` (a matrix or batch of them) to be orthogonal."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.dim() < 2:
        raise ValueError(
            f"Expected a matrix or batch of matrices. Got a tensor of {weight.dim()} dimensions."
        )
    if orthogonal_map is None:
        n, k = weight.shape[-2:]
        orthogonal_map = "matrix_exp" if n == k else "householder"
    if orthogonal_map not in _MAPS:
        raise ValueError(
            'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
            f"Got: {orthogonal_map}"
        )
    register_parametrization(
        module, name, _Orthogonal(weight, orthogonal_map, use_trivialization), unsafe=True
    )
    return module


__all__ = ["orthogonal", "spectral_norm", "weight_norm"]
