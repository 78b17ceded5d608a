"""npgrad's ops, one module per family; each op is a Function with forward and backward side
by side. The public functions are re-exported from :mod:`npgrad`."""

__all__ = [
    "activation",
    "arithmetic",
    "assembly",
    "binary",
    "bitwise",
    "comparison",
    "decomposition",
    "elementwise",
    "extrema",
    "extras",
    "gather_scatter",
    "indexing",
    "linalg",
    "other",
    "reduction",
    "scan",
    "selection",
    "shape",
    "sorting",
    "special",
    "statistics",
]
