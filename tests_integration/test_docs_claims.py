"""The documentation's factual claims hold: printed outputs, API names, counts.

``test_docs_examples.py`` runs every ```python block; this file checks what the blocks and the
prose *say*:

* a ``print(...)`` whose output the page shows — in a trailing comment that starts like an
  output (``# tensor(...``, ``# [...]``, ``# True``, ``# (8, 3)``, …), or in the comment lines
  right under it — prints exactly that (an ``npgrad.Size([8, 3])`` may be written ``(8, 3)``);
* every dotted npgrad name in backticks in the prose (``npgrad.linalg.solve``,
  ``nn.utils.skip_init``, ``F.grid_sample``, …) exists;
* the lists and counts of the guides (the layer table of ``models.md``, the schedulers of
  ``training.md``, the optimizer kernels of ``optim.md``, the linear algebra of ``tensors.md``)
  match the packages.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("npgrad.nn")
pytest.importorskip("npgrad.optim")

DOCS = Path(__file__).resolve().parents[1] / "docs"

# The guides checked here (data.md, vision.md, performance.md, differences.md and the API
# reference have owners of their own and checks of their own).
GUIDES = [
    "index.md",
    "getting-started.md",
    "tensors.md",
    "autograd.md",
    "engine.md",
    "models.md",
    "training.md",
    "optim.md",
    "distributed.md",
    "saving.md",
    "packages.md",
]


def _docs_examples():
    """test_docs_examples.py, loaded by path: one block extractor for both files."""
    name = "_npgrad_test_docs_examples"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).with_name("test_docs_examples.py")
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look the module up while it is executed
        spec.loader.exec_module(module)
    return sys.modules[name]


# -- printed outputs ------------------------------------------------------------------------

# a trailing comment that starts like this shows the output (other comments explain the line)
_OUTPUT_START = re.compile(r"^(tensor\(|\[|<|\(|True\b|False\b|npgrad\.|-?\d)")
_SIZE = re.compile(r"npgrad\.Size\(\[([^\]]*)\]\)")


def _normalize(text: str) -> str:
    """Whitespace collapsed, and npgrad.Size([a, b]) written as the tuple (a, b)."""

    def as_tuple(m: re.Match[str]) -> str:
        items = [s.strip() for s in m[1].split(",") if s.strip()]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"

    return " ".join(_SIZE.sub(as_tuple, text).split())


def _run_recording_prints(page: str) -> dict[int, list[str]]:
    """Run the page's blocks; map each line of the page to what print() calls there wrote."""
    import npgrad

    tde = _docs_examples()
    path = DOCS / page
    prints: dict[int, list[str]] = {}

    def recording_print(*args, **kwargs):
        kwargs.pop("file", None)
        buf = io.StringIO()
        print(*args, file=buf, **kwargs)
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename != str(path):
            frame = frame.f_back
        if frame is not None:
            prints.setdefault(frame.f_lineno, []).append(buf.getvalue().rstrip("\n"))

    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}", "print": recording_print}
    npgrad.manual_seed(0)
    try:
        if page in tde.PREAMBLES:
            exec(compile(tde.PREAMBLES[page], f"<preamble of {page}>", "exec"), namespace)
        for block in tde.extract_blocks(path.read_text(encoding="utf-8"), page):
            if block.skip:
                continue
            code = compile("\n" * (block.line - 1) + block.code, str(path), "exec")
            try:
                exec(code, namespace)
            except Exception:
                if block.raises is None:
                    raise
    finally:
        npgrad.set_default_dtype(npgrad.float32)
        npgrad.autograd.set_detect_anomaly(False)
    return prints


def _claimed_outputs(lines: list[str], lineno: int) -> str | None:
    """The output the page shows for the print on ``lineno`` (1-based), or None."""
    line = lines[lineno - 1]
    code, _, comment = line.partition("  #")
    if comment.strip():
        comment = comment.strip()
        return comment if _OUTPUT_START.match(comment) else None
    shown = []
    for below in lines[lineno:]:
        stripped = below.strip()
        if not stripped.startswith("# "):
            break
        shown.append(stripped[2:])
    return " ".join(shown) if shown else None


@pytest.mark.parametrize("page", GUIDES)
def test_printed_outputs_are_what_the_page_shows(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = (DOCS / page).read_text(encoding="utf-8").splitlines()
    prints = _run_recording_prints(page)
    checked, wrong = 0, []
    for lineno, outputs in sorted(prints.items()):
        if len(outputs) != 1:  # a print in a loop or a hook: the page shows no single output
            continue
        claimed = _claimed_outputs(lines, lineno)
        if claimed is None:
            continue
        checked += 1
        printed = _normalize(outputs[0])
        if printed not in _normalize(claimed):
            wrong.append(f"{page}:{lineno}: prints {outputs[0]!r}, the page shows {claimed!r}")
    assert not wrong, "\n".join(wrong)
    if prints:  # a page that prints shows some of it (else the parsing above went wrong)
        assert checked, f"{page}: no printed output compared"


def test_claimed_outputs_parsing():
    lines = [
        "print(x)   # tensor([1., 2.])",
        "print(y)   # the gradient of y",
        "print(m)",
        "# Linear(",
        "#   in_features=2)",
        "z = 1",
    ]
    assert _claimed_outputs(lines, 1) == "tensor([1., 2.])"
    assert _claimed_outputs(lines, 2) is None
    assert _normalize(_claimed_outputs(lines, 3) or "") == "Linear( in_features=2)"
    assert _normalize("npgrad.Size([2, 3]) npgrad.Size([4]) npgrad.Size([])") == "(2, 3) (4,) ()"


# -- names --------------------------------------------------------------------------------

_ALIASES = {
    "nn": "npgrad.nn",
    "F": "npgrad.nn.functional",
    "optim": "npgrad.optim",
    "dist": "npgrad.distributed",
    "fwAD": "npgrad.autograd.forward_ad",
    "autograd": "npgrad.autograd",
    "lr_scheduler": "npgrad.optim.lr_scheduler",
    "linalg": "npgrad.linalg",
}
_DOTTED = re.compile(r"`((?:npgrad|" + "|".join(_ALIASES) + r")(?:\.[A-Za-z_]\w*)+)")


def _resolves(dotted: str) -> bool:
    head, *rest = dotted.split(".")
    parts = _ALIASES.get(head, head).split(".") + rest
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


def _prose(page: str) -> str:
    return re.sub(r"```.*?```", "", (DOCS / page).read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("page", GUIDES)
def test_dotted_names_in_the_prose_exist(page):
    missing = sorted({m[1] for m in _DOTTED.finditer(_prose(page)) if not _resolves(m[1])})
    assert not missing, f"{page} names what npgrad does not have: {missing}"


def _expand(cell: str) -> list[str]:
    """`Conv1d/2d/3d` -> Conv1d, Conv2d, Conv3d; `TransformerEncoder(Layer)` -> both."""
    names = []
    for item in re.findall(r"`([^`]+)`", cell):
        if "…" in item or "." in item:  # a family left open, or a function (`F.pad`)
            continue
        m = re.fullmatch(r"(\w+)\((\w+)\)", item)
        if m:
            names += [m[1], m[1] + m[2]]
            continue
        first, *more = item.split("/")
        names.append(first)
        stem = re.sub(r"\d+d$", "", first)
        names += [stem + suffix for suffix in more]
    return names


def test_models_layer_table():
    from npgrad import nn

    rows = re.findall(r"^\| (\w+) \| (.+) \|$", (DOCS / "models.md").read_text(), re.MULTILINE)
    table = {family: cell for family, cell in rows if family not in ("family",)}
    assert {"linear", "convolution", "pooling", "activations", "losses"} <= set(table)
    for family, cell in table.items():
        missing = [name for name in _expand(cell) if not hasattr(nn, name)]
        assert not missing, f"models.md, {family}: {missing}"
    counted = {
        "activations": [
            n
            for n in nn.modules.activation.__all__
            if n != "MultiheadAttention" and isinstance(getattr(nn, n, None), type)
        ],
        "losses": [n for n in nn.__all__ if n.endswith("Loss")],
    }
    for family, names in counted.items():
        claimed = re.search(r"\((\d+) in all\)", table[family])
        assert claimed is not None and int(claimed[1]) == len(names), (family, sorted(names))


def test_training_lists_every_scheduler():
    from npgrad.optim import lr_scheduler

    text = (DOCS / "training.md").read_text()
    listed = re.search(
        r"PyTorch's\s+(\w+)\s+schedulers\s+with\s+PyTorch's\s+step\s+semantics:(.*?)\.\n",
        text,
        re.S,
    )
    assert listed is not None
    names = set(re.findall(r"`(\w+)`", listed[2]))
    schedulers = {
        n
        for n in lr_scheduler.__all__
        if isinstance(getattr(lr_scheduler, n), type) and n != "LRScheduler"
    }
    assert names == schedulers
    words = {"fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17}
    assert words[listed[1]] == len(schedulers)


def test_optim_kernels_are_where_the_page_says():
    from npgrad.optim import _functional

    text = (DOCS / "optim.md").read_text()
    listed = re.search(r"`npgrad/optim/_functional.py`\s+\(([^)]*)\)", text)
    assert listed is not None
    names = re.findall(r"`(\w+)`", listed[1].split(";")[0])
    assert names and all(callable(getattr(_functional, n, None)) for n in names), names


def test_tensors_linalg_list():
    import npgrad

    text = (DOCS / "tensors.md").read_text()
    section = text.split("## Linear algebra", 1)[1].split("```", 1)[0]
    listed = re.split(r"mirrors\s+`torch\.linalg`:", section)[1].split("and more", 1)[0]
    names = [n for item in re.findall(r"`([\w/]+)`", listed) for n in item.split("/")]
    ex_forms = re.search(r"`_ex` forms\s+\(([^)]*)\)", section)
    assert ex_forms is not None
    names += re.findall(r"`(\w+)`", ex_forms[1])
    missing = [n for n in names if not hasattr(npgrad.linalg, n)]
    assert not missing, missing
    every_ex = {n for n in npgrad.linalg.__all__ if n.endswith("_ex")}
    assert every_ex == set(re.findall(r"`(\w+)`", ex_forms[1]))
