"""MNIST and Fashion-MNIST read from their IDX files, with torchvision's folder layout::

    root/MNIST/raw/train-images-idx3-ubyte(.gz)     root/FashionMNIST/raw/...
    root/MNIST/raw/train-labels-idx1-ubyte(.gz)
    root/MNIST/raw/t10k-images-idx3-ubyte(.gz)
    root/MNIST/raw/t10k-labels-idx1-ubyte(.gz)

Each file may be the raw IDX file or its ``.gz`` (read directly, never unpacked to disk). With
``download=True`` the missing ``.gz`` files are fetched by
:func:`~npgrad.vision.datasets.utils.download_url`: each mirror of :attr:`MNIST.mirrors` in
turn, MD5 (or SHA-256) verified, written atomically. A file whose header does not match the
IDX format raises ``ValueError`` naming the file and the expected header.

Samples are ``(PIL.Image of mode "L", int label)`` as in torchvision; use
``transform=transforms.ToTensor()`` for a float tensor in ``[0, 1]``.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
from collections.abc import Callable, Sequence
from typing import IO, Any

import numpy as np
from PIL import Image

import npgrad
from npgrad.tensor import Tensor
from npgrad.vision.datasets.utils import download_url
from npgrad.vision.datasets.vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "read_idx", "read_image_file", "read_label_file"]

PathLike = str | os.PathLike[str]

# IDX type codes (third byte of the magic number) -> big-endian NumPy dtype
_IDX_TYPES: dict[int, tuple[str, str]] = {
    0x08: (">u1", "unsigned byte"),
    0x09: (">i1", "signed byte"),
    0x0B: (">i2", "int16"),
    0x0C: (">i4", "int32"),
    0x0D: (">f4", "float32"),
    0x0E: (">f8", "float64"),
}


def _read_bytes(path: str) -> bytes:
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                return f.read()
        with open(path, "rb") as f:
            return f.read()
    except (gzip.BadGzipFile, EOFError, OSError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise OSError(f"cannot read IDX file {path!r}: {e} (corrupt or truncated download?)") from e


def _describe(type_code: int, ndim: int) -> str:
    magic = (type_code << 8) | ndim
    kind = _IDX_TYPES.get(type_code, ("", f"type 0x{type_code:02X}"))[1]
    return f"0x{magic:08X} ({magic}: {kind}, {ndim} dimension{'s' if ndim != 1 else ''})"


def read_idx(path: PathLike, type_code: int | None = None, ndim: int | None = None) -> np.ndarray:
    """Read an IDX file (raw, or gzip-compressed when the name ends in ``.gz``).

    Parameters
    ----------
    path : path
        The file.
    type_code, ndim : int, optional
        Require this element type (``0x08`` for unsigned bytes) and number of dimensions.

    Returns
    -------
    numpy.ndarray
        The array in native byte order, shaped by the header.

    Raises
    ------
    ValueError
        When the magic number, the number of dimensions or the file size does not match;
        the message names the file and the expected header.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from npgrad.vision.datasets.mnist import read_idx
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels-idx1-ubyte"
    >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]))
    >>> read_idx(path, 0x08, 1)
    array([7, 2, 1], dtype=uint8)
    """
    path = os.fspath(path)
    data = _read_bytes(path)
    want = (
        _describe(type_code, ndim)
        if type_code is not None and ndim is not None
        else "0x0000TTDD (two zero bytes, the type code TT, the number of dimensions DD)"
    )
    if len(data) < 4:
        raise ValueError(
            f"{path}: not an IDX file: {len(data)} bytes, too short for the 4-byte magic "
            f"number; expected {want}"
        )
    zero0, zero1, code, dims_n = data[0], data[1], data[2], data[3]
    if (
        zero0 != 0
        or zero1 != 0
        or code not in _IDX_TYPES
        or (type_code is not None and code != type_code)
        or (ndim is not None and dims_n != ndim)
    ):
        raise ValueError(
            f"{path}: bad IDX magic number 0x{data[:4].hex().upper()}; expected {want}"
        )
    header = 4 + 4 * dims_n
    if len(data) < header:
        raise ValueError(
            f"{path}: the IDX header is cut short: {len(data)} bytes, the magic number "
            f"announces {dims_n} dimension sizes ({header} header bytes)"
        )
    shape = struct.unpack(f">{dims_n}I", data[4:header])
    dtype = np.dtype(_IDX_TYPES[code][0])
    expected = header + math.prod(shape) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(
            f"{path}: the IDX header announces shape {tuple(shape)} ({expected} bytes with the "
            f"header {_describe(code, dims_n)}), but the file has {len(data)} bytes "
            "(truncated or corrupt)"
        )
    arr = np.frombuffer(data, dtype, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))


def read_image_file(path: PathLike) -> np.ndarray:
    """An IDX file of unsigned-byte images ``(N, H, W)`` (magic ``0x00000803``)."""
    return read_idx(path, 0x08, 3)


def read_label_file(path: PathLike) -> np.ndarray:
    """An IDX file of unsigned-byte labels ``(N,)`` (magic ``0x00000801``), as int64."""
    return read_idx(path, 0x08, 1).astype(np.int64)


def _checksums(checksum: str | None) -> tuple[str | None, str | None]:
    """``(md5, sha256)`` from one checksum: 32 hex digits is an MD5 (the published ones), 64
    a SHA-256."""
    if checksum is None:
        return None, None
    if len(checksum) == 64:
        return None, checksum
    if len(checksum) == 32:
        return checksum, None
    raise ValueError(f"checksum {checksum!r} is neither an MD5 (32 hex) nor a SHA-256 (64 hex)")


class MNIST(VisionDataset):
    """The MNIST handwritten digits (60,000 training and 10,000 test 28×28 images).

    Parameters
    ----------
    root : path
        Directory holding ``MNIST/raw/`` (for a subclass, ``<ClassName>/raw/``).
    train : bool, optional
        The training files (``train-*``) or the test files (``t10k-*``).
    transform, target_transform : callable, optional
        Applied to the ``PIL.Image`` and to the int label.
    download : bool, optional
        Fetch the files that are missing from :attr:`mirrors` (checksums verified).
    mirrors : sequence of str, optional
        Base URLs to try in order instead of the class's :attr:`mirrors` (a file's URL is
        mirror + file name).
    progress : bool, optional
        Show a progress bar while downloading.

    Attributes
    ----------
    data : Tensor
        uint8 images ``(N, 28, 28)``.
    targets : Tensor
        int64 labels ``(N,)``.

    Examples
    --------
    >>> import gzip, pathlib, tempfile
    >>> import numpy as np
    >>> from npgrad.vision.datasets import MNIST
    >>> raw = pathlib.Path(tempfile.mkdtemp()) / "MNIST" / "raw"
    >>> raw.mkdir(parents=True)
    >>> header = bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28])
    >>> _ = (raw / "t10k-images-idx3-ubyte").write_bytes(header + bytes(2 * 28 * 28))
    >>> with gzip.open(raw / "t10k-labels-idx1-ubyte.gz", "wb") as f:
    ...     _ = f.write(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]))
    >>> ds = MNIST(raw.parent.parent, train=False)
    >>> img, label = ds[1]
    >>> img.size, img.mode, label
    ((28, 28), 'L', 3)
    """

    mirrors: Sequence[str] = (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    )
    #: ``(file name, checksum)``: an MD5 (32 hex digits) or a SHA-256 (64) of the ``.gz`` file
    resources: Sequence[tuple[str, str | None]] = (
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    )
    classes: list[str] = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]

    def __init__(
        self,
        root: PathLike,
        train: bool = True,
        transform: Callable[..., Any] | None = None,
        target_transform: Callable[..., Any] | None = None,
        download: bool = False,
        mirrors: Sequence[str] | None = None,
        progress: bool | IO[str] = True,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = bool(train)
        if mirrors is not None:
            if isinstance(mirrors, str) or not mirrors:
                raise ValueError(
                    f"{type(self).__name__}: mirrors must be a non-empty list of base URLs, "
                    f"got {mirrors!r}"
                )
            self.mirrors = list(mirrors)
        self.progress = progress
        if download:
            self.download()
        self.data, self.targets = self._load_data()

    @property
    def raw_folder(self) -> str:
        assert self.root is not None
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.classes)}

    def _find(self, base: str) -> str | None:
        """The raw file ``base`` or its ``.gz``, whichever exists (raw first)."""
        for name in (base, base + ".gz"):
            path = os.path.join(self.raw_folder, name)
            if os.path.isfile(path):
                return path
        return None

    def _split_files(self) -> tuple[str, str]:
        prefix = "train" if self.train else "t10k"
        return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"

    def _check_exists(self) -> bool:
        return all(self._find(base) is not None for base in self._split_files())

    def _load_data(self) -> tuple[Tensor, Tensor]:
        image_base, label_base = self._split_files()
        image_path, label_path = self._find(image_base), self._find(label_base)
        found = [image_path, label_path]
        if image_path is None or label_path is None:
            missing = [
                os.path.join(self.raw_folder, f"{base}[.gz]")
                for base, path in zip(self._split_files(), found)
                if path is None
            ]
            raise RuntimeError(
                f"Dataset not found: missing {', '.join(missing)}. "
                "You can use download=True to download it."
            )
        images = read_image_file(image_path)
        labels = read_label_file(label_path)
        if len(images) != len(labels):
            raise ValueError(
                f"{image_path} holds {len(images)} images but {label_path} holds {len(labels)} "
                "labels: the files do not belong together"
            )
        return npgrad.from_numpy(images), npgrad.from_numpy(labels)

    def download(self) -> None:
        """Download the files that are missing (``.gz``; a raw file present counts)."""
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, checksum in self.resources:
            base = filename[:-3] if filename.endswith(".gz") else filename
            if os.path.isfile(os.path.join(self.raw_folder, base)):
                continue
            md5, sha256 = _checksums(checksum)
            download_url(
                [(m if m.endswith("/") else m + "/") + filename for m in self.mirrors],
                self.raw_folder,
                filename,
                md5=md5,
                sha256=sha256,
                progress=self.progress,
            )

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        img: Any = Image.fromarray(self.data._data[index])
        target: Any = int(self.targets._data[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return int(self.data.shape[0])

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28×28 grey images of 10 kinds of clothing, in MNIST's format.

    Same parameters as :class:`MNIST`; the files live in ``root/FashionMNIST/raw/``.

    Examples
    --------
    >>> from npgrad.vision.datasets import FashionMNIST
    >>> FashionMNIST.classes[:3]
    ['T-shirt/top', 'Trouser', 'Pullover']
    """

    mirrors: Sequence[str] = (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    )
    resources: Sequence[tuple[str, str | None]] = (
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    )
    classes: list[str] = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]
