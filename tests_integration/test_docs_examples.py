"""Every ```python block of the documentation runs, so the docs can't rot.

Each page of ``docs/`` is one test: its ```python blocks run in order in one namespace (a block
may use what an earlier block of the same page defined), in a temporary working directory.
Two HTML comments, invisible on the site, change how the next block is treated when one is the
last non-blank line before its opening fence:

* ``<!-- no-test -->`` skips the block — only for blocks that need data the tests don't have
  (LFW, MNIST downloads, PyTorch) or minutes of time;
* ``<!-- raises: RuntimeError -->`` requires the block to raise that exception (a block that
  shows an error on purpose).

A failure names the page and the line of the block; tracebacks point at lines of the ``.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
_MARKER = re.compile(r"^\s*<!--\s*(no-test|raises:\s*([\w.]+))\s*-->\s*$")

# Pages whose fragments illustrate prose and need names the prose only mentions.
PREAMBLES = {
    # engine.md's `class Mul(Function)` and `y = x.sigmoid()` fragments
    "engine.md": "import npgrad\nfrom npgrad.autograd import Function\n"
    "x = npgrad.tensor([0.5, -1.0], requires_grad=True)\n",
}


@dataclass
class Block:
    line: int  # 1-based line of the first code line in the .md file
    code: str
    skip: bool = False
    raises: str | None = None


def extract_blocks(text: str, where: str = "<page>") -> list[Block]:
    """The ```python blocks of a Markdown page, with their markers."""
    lines = text.splitlines()
    blocks: list[Block] = []
    pending: re.Match[str] | None = None
    pending_line = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        marker = _MARKER.match(line)
        if marker:
            if pending is not None:
                raise ValueError(f"{where}:{pending_line}: two markers before one block")
            pending, pending_line = marker, i + 1
            i += 1
            continue
        fence = _FENCE.match(line)
        if fence:
            indent, close, lang = fence["indent"], fence["fence"], fence["lang"].lower()
            first = i + 2  # 1-based line of the first code line
            body: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(close):
                body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
                i += 1
            if lang in ("python", "py"):
                block = Block(line=first, code="\n".join(body))
                if pending is not None:
                    block.skip = pending[1] == "no-test"
                    block.raises = pending[2]
                blocks.append(block)
            elif pending is not None:
                raise ValueError(f"{where}:{pending_line}: marker before a non-python block")
            pending = None
        elif line.strip() and pending is not None:
            raise ValueError(
                f"{where}:{pending_line}: a marker must stand right before a ```python fence"
            )
        i += 1
    if pending is not None:
        raise ValueError(f"{where}:{pending_line}: marker at the end of the page")
    return blocks


PAGES = sorted(
    p.relative_to(DOCS).as_posix()
    for p in DOCS.rglob("*.md")
    if re.search(r"^\s*```+\s*py(thon)?\s*$", p.read_text(encoding="utf-8"), re.MULTILINE)
)


def test_pages_were_found():
    # a guard against a path change that would make every page test vanish silently
    assert {"index.md", "autograd.md", "tensors.md", "saving.md"} <= set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run(page, tmp_path, monkeypatch):
    import npgrad

    blocks = extract_blocks((DOCS / page).read_text(encoding="utf-8"), page)
    if all(b.skip for b in blocks):
        pytest.skip(f"every python block of {page} is marked no-test")
    monkeypatch.chdir(tmp_path)  # examples may write checkpoints and images
    namespace: dict[str, object] = {"__name__": f"docs_{Path(page).stem}"}
    npgrad.manual_seed(0)
    try:
        if page in PREAMBLES:
            exec(compile(PREAMBLES[page], f"<preamble of {page}>", "exec"), namespace)
        for block in blocks:
            if block.skip:
                continue
            # pad with newlines so that tracebacks give the line number in the .md file
            code = compile("\n" * (block.line - 1) + block.code, str(DOCS / page), "exec")
            where = f"{page}, block at line {block.line}"
            if block.raises:
                with pytest.raises(Exception) as info:  # noqa: PT011 - the type is checked below
                    exec(code, namespace)
                names = {cls.__name__ for cls in type(info.value).__mro__}
                assert block.raises.rsplit(".", 1)[-1] in names, (
                    f"{where}: expected {block.raises}, got {type(info.value).__name__}: "
                    f"{info.value}"
                )
            else:
                try:
                    exec(code, namespace)
                except Exception as e:
                    raise AssertionError(f"{where} failed: {type(e).__name__}: {e}") from e
    finally:
        # pages may change process-wide settings; restore the defaults for the next test
        npgrad.set_default_dtype(npgrad.float32)
        npgrad.autograd.set_detect_anomaly(False)


def test_extract_blocks_markers():
    text = "\n".join(
        [
            "# T",
            "```python",
            "a = 1",
            "```",
            "<!-- no-test -->",
            "```python",
            "download()",
            "```",
            "<!-- raises: RuntimeError -->",
            "```python",
            "fail()",
            "```",
            "```text",
            "not python",
            "```",
        ]
    )
    blocks = extract_blocks(text)
    assert [(b.line, b.code, b.skip, b.raises) for b in blocks] == [
        (3, "a = 1", False, None),
        (7, "download()", True, None),
        (11, "fail()", False, "RuntimeError"),
    ]
    with pytest.raises(ValueError, match="right before"):
        extract_blocks("<!-- no-test -->\nsome prose\n```python\nx\n```")
