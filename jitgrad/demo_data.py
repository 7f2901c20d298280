"""The demo's data: scikit-learn's 8x8 digits, or synthetic 8x8 digits without scikit-learn.

``pip install -e ".[demo]"`` brings scikit-learn, and then the demo trains on its 1797 real
handwritten digits (bundled with scikit-learn: no network). Without it ``python -m
jitgrad.demo`` still runs: it draws digits from a 5x7 font, shifted, with varying ink and
noise, so what the demo shows about jitgrad (fusion, compiles, step times) stays the same.
"""

from __future__ import annotations

import numpy as np

#: A 5x7 font for 0-9, one string of five 0/1 characters per row.
FONT = (
    "01110 10001 10011 10101 11001 10001 01110",
    "00100 01100 00100 00100 00100 00100 01110",
    "01110 10001 00001 00010 00100 01000 11111",
    "11111 00010 00100 00010 00001 10001 01110",
    "00010 00110 01010 10010 11111 00010 00010",
    "11111 10000 11110 00001 00001 10001 01110",
    "00110 01000 10000 11110 10001 10001 01110",
    "11111 00001 00010 00100 01000 01000 01000",
    "01110 10001 10001 01110 10001 10001 01110",
    "01110 10001 10001 01111 00001 00010 01100",
)


def glyphs() -> np.ndarray:
    """The font as a (10, 7, 5) array of 0.0 and 1.0."""
    return np.array([[[float(c) for c in row] for row in g.split()] for g in FONT])


def synthetic_digits(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` 8x8 images flattened to 64 values in [0, 1], and their labels."""
    rng = np.random.default_rng(seed)
    font = glyphs()
    labels = rng.integers(0, 10, n)
    images = np.zeros((n, 8, 8))
    dy, dx = rng.integers(0, 2, n), rng.integers(0, 4, n)  # 7x5 placed anywhere in 8x8
    for i in range(n):
        images[i, dy[i] : dy[i] + 7, dx[i] : dx[i] + 5] = font[labels[i]]
    images *= rng.uniform(0.7, 1.0, (n, 1, 1))  # ink
    images += rng.normal(0.0, 0.1, images.shape)  # noise
    return np.clip(images, 0.0, 1.0).reshape(n, 64).astype(np.float32), labels.astype(np.int64)


def load_digits(seed: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Images scaled to [0, 1], labels and a name for the data: scikit-learn's when it is
    installed, else 1797 synthetic ones."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        x, y = synthetic_digits(1797, seed)
        return x, y, "synthetic 8x8 digits (no scikit-learn: pip install scikit-learn)"
    digits = sklearn_digits()
    x = (digits.data / 16.0).astype(np.float32)
    return x, digits.target.astype(np.int64), "sklearn digits"


def split(
    x: np.ndarray, y: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """80/20 train/test split with a fixed permutation."""
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(0.8 * len(x))
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]
