"""Pointwise math as the torch docs' examples show it: integer and float division
(true_divide, div with rounding_mode, floor_divide), remainder vs fmod signs, bitwise ops and
shifts, clamp/clip, lerp, addcmul/addcdiv, sign/sgn/trunc/frac/ceil/floor/round (half to even),
isclose/allclose/equal, isnan/isinf/isfinite, nan_to_num, maximum/minimum/fmax/fmin, hypot,
atan2, logaddexp, xlogy, erf/erfinv, logit, deg2rad, sinc, expm1/log1p, rsqrt, reciprocal,
square, copysign, heaviside, and gcd/lcm.

Models: https://pytorch.org/docs/stable/torch.html#pointwise-ops (pytorch/pytorch docstrings,
BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch

a = torch.tensor([-7, -3, 3, 7])
b = torch.tensor([2, 2, -2, 2])
print(a / b, torch.true_divide(a, b), a // b, torch.floor_divide(a, b))
print(torch.div(a, b, rounding_mode="trunc"), torch.div(a, b, rounding_mode="floor"))
print(a % b, torch.remainder(a, b), torch.fmod(a, b))
print(torch.remainder(torch.tensor([-3.0, -2.0, 2.0, 3.0]), 2), torch.fmod(torch.tensor([-3.0, 3.0]), 2))
i = torch.tensor([12, 10, 5], dtype=torch.int32)
print(i & 6, i | 1, i ^ 3, ~i, i << 2, i >> 1, torch.bitwise_and(i, torch.tensor([4, 2, 1], dtype=torch.int32)))
x = torch.tensor([-1.7, -0.5, 0.5, 1.5, 2.5, 3.2])
print(x.clamp(min=-1.0, max=2.0), torch.clip(x, max=0.0), x.clamp(min=0))
print(x.sign(), x.sgn(), x.trunc(), x.frac(), x.ceil(), x.floor(), x.round())
print(torch.lerp(torch.zeros(3), torch.ones(3) * 10, 0.25), torch.lerp(torch.zeros(2), torch.ones(2), torch.tensor([0.1, 0.9])))
t, t1, t2 = torch.ones(3), torch.tensor([1.0, 2.0, 3.0]), torch.tensor([4.0, 5.0, 6.0])
print(torch.addcmul(t, t1, t2, value=0.5), torch.addcdiv(t, t1, t2, value=2))
print(torch.isclose(torch.tensor([1.0, 1.0001, float("nan")]), torch.tensor([1.0, 1.0, float("nan")])))
print(torch.isclose(torch.tensor([float("nan")]), torch.tensor([float("nan")]), equal_nan=True))
print(torch.allclose(t1, t1 + 1e-9), torch.equal(t1, t1.clone()), torch.equal(t1, t2))
s = torch.tensor([1.0, float("nan"), float("inf"), -float("inf")])
print(s.isnan(), s.isinf(), s.isfinite(), torch.isposinf(s), torch.isneginf(s))
print(torch.nan_to_num(s), torch.nan_to_num(s, nan=0.0, posinf=9.0, neginf=-9.0))
p, q = torch.tensor([1.0, float("nan"), 3.0]), torch.tensor([2.0, 1.0, float("nan")])
print(torch.maximum(p, q), torch.minimum(p, q), torch.fmax(p, q), torch.fmin(p, q))
print(torch.hypot(torch.tensor([3.0, 5.0]), torch.tensor([4.0, 12.0])))
print(torch.atan2(torch.tensor([1.0, -1.0, 0.0]), torch.tensor([0.0, -1.0, -1.0])))
print(torch.logaddexp(torch.tensor([-1.0, 100.0]), torch.tensor([-1.0, 100.0])))
print(torch.xlogy(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 3.0])), torch.special.xlog1py(torch.tensor([2.0]), torch.tensor([1.0])))
u = torch.tensor([-0.5, 0.0, 0.25, 0.9])
print(torch.erf(u), torch.erfinv(u), torch.erfc(u), torch.logit(u.abs() + 0.05), torch.logit(u.abs(), eps=1e-6))
print(torch.deg2rad(torch.tensor([180.0, 90.0])), torch.rad2deg(torch.tensor([3.14159265])), torch.sinc(u))
print(torch.expm1(torch.tensor([1e-10, 1.0])), torch.log1p(torch.tensor([1e-10, 1.0])), torch.rsqrt(torch.tensor([4.0, 0.25])))
print(torch.reciprocal(torch.tensor([2.0, -0.5])), torch.square(torch.tensor([3, -2])), torch.copysign(torch.tensor([1.0, 2.0]), -1.0))
print(torch.heaviside(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([0.5])), torch.gcd(torch.tensor([12, 18]), torch.tensor([8, 27])), torch.lcm(torch.tensor([4, 6]), torch.tensor([6, 4])))
print(torch.log2(torch.tensor([8.0])), torch.log10(torch.tensor([1000.0])), torch.exp2(torch.tensor([3.0])), torch.float_power(torch.tensor([2]), 3))
print(torch.tensor([2, 3]) ** 2, 2 ** torch.tensor([2.0, 3.0]), torch.pow(torch.tensor([4.0, 9.0]), 0.5))
print(torch.cos(torch.tensor([0.0, 3.14159265 / 3])), torch.asin(torch.tensor([0.5])), torch.cosh(torch.tensor([1.0])), torch.atanh(torch.tensor([0.5])))
