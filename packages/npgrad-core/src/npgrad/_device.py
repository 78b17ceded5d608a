"""``npgrad.device``: PyTorch's device descriptor. npgrad computes on the CPU only, so every
tensor's ``device`` is ``device(type='cpu')``; a descriptor of another device can be made (as
code that picks a device at run time does) but moving a tensor or a module there raises."""

from __future__ import annotations

from typing import Any

__all__ = ["device", "is_device", "parse_device"]

# the device types PyTorch's descriptor accepts
_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
    "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)  # fmt: skip


class device:  # noqa: N801 - PyTorch's name
    """A device: ``device("cpu")``, ``device("cuda:1")``, ``device("cuda", 1)``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.device("cuda:1"), str(npgrad.device("cpu")), npgrad.ones(2).device.type
    (device(type='cuda', index=1), 'cpu', 'cpu')
    """

    __slots__ = ("type", "index")
    type: str
    index: int | None

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device) or _foreign(type):  # (a torch.device is read the same)
            kind, idx = type.type, type.index
        elif isinstance(type, str):
            kind, _, rest = type.partition(":")
            idx = None
            if rest:
                if not rest.isdigit():
                    raise RuntimeError(f"Invalid device string: '{type}'")
                idx = int(rest)
        else:
            raise TypeError(f"device(): expected a str or a device, got {type!r}")
        if kind not in _TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_TYPES)} device type at start of device string: {type}"
            )
        if index is not None:
            if idx is not None:
                raise RuntimeError(
                    f"type (string) must not include an index because index was passed "
                    f"explicitly: {type}"
                )
            if isinstance(index, bool) or not isinstance(index, int) or index < 0:
                raise RuntimeError(f"Device index must not be negative, got {index}")
            idx = index
        object.__setattr__(self, "type", kind)
        object.__setattr__(self, "index", idx)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("device objects are immutable")

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> Any:
        return (device, (self.type, self.index))


def _foreign(value: Any) -> bool:
    """Whether ``value`` is another library's device object (a ``torch.device``): a ``type``
    name and an ``index`` (a NumPy dtype's ``type`` is a class, not a name)."""
    index = getattr(value, "index", False)
    return isinstance(getattr(value, "type", None), str) and (
        index is None or (isinstance(index, int) and not isinstance(index, bool))
    )


CPU = device("cpu")


def parse_device(op: str, value: Any) -> device | None:
    """``value`` (None, a str, an int index, a device or a ``torch.device``) as a device,
    checked to be the CPU: the one place npgrad refuses other devices, with one message."""
    if value is None:
        return None
    if not isinstance(value, (str, int, device)) and not _foreign(value):
        raise TypeError(f"{op}: device must be a str, an int or a device, got {value!r}")
    d = device("cuda", value) if isinstance(value, int) and not isinstance(value, bool) else None
    d = d or device(value)
    if d.type != "cpu":
        raise RuntimeError(
            f"{op}: npgrad computes on the CPU only, not on {d} "
            "(npgrad.cuda.is_available() is False)"
        )
    return d


def is_device(value: Any) -> bool:
    """Whether a positional argument of ``to()`` names a device: a device, a device's name
    (``"cuda:0"``; not a dtype's, as in ``x.to("float64")``) or a GPU index (``x.to(0)``)."""
    if isinstance(value, str):
        return value.split(":")[0] in _TYPES
    if isinstance(value, int):
        return not isinstance(value, bool)
    return isinstance(value, device) or _foreign(value)
