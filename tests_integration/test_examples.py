"""The examples in ``examples/`` run end to end with tiny settings and write their outputs.

(The demo, ``digits_cnn.py``, is trained to accuracy in ``test_training.py``.)
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import npgrad

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TORCH_CHECKPOINT = Path(__file__).resolve().parent / "fixtures" / "digits_tiny_cnn.pt"
TINY_CNN_KEYS = {
    "0.weight": (8, 1, 3, 3),
    "0.bias": (8,),
    "1.weight": (8,),
    "1.bias": (8,),
    "1.running_mean": (8,),
    "1.running_var": (8,),
    "1.num_batches_tracked": (),
    "4.weight": (16, 8, 3, 3),
    "4.bias": (16,),
    "8.weight": (10, 64),
    "8.bias": (10,),
}


def _load_example(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _png_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as img:
        assert img.format == "PNG"
        return img.size


# ---- autograd_tour.py -------------------------------------------------------------------------
def test_autograd_tour():
    script = EXAMPLES / "autograd_tour.py"
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "dy/dx = tensor([4., 6., 8.])" in done.stdout
    assert "fitted y = 3.000 x -0.500" in done.stdout


# ---- siamese_digits.py -------------------------------------------------------------------------
def test_siamese_digits(tmp_path, capsys):
    example = _load_example("siamese_digits")
    result = example.main(["--epochs", "1", "--out", str(tmp_path)])
    assert 0.5 < result["accuracy"] <= 1.0 and 0.0 <= result["std"] < 0.5
    assert result["auc"] >= 0.85, result
    out = capsys.readouterr().out
    assert "10-fold accuracy" in out and "ROC AUC" in out
    assert _png_size(tmp_path / "roc.png")[0] > 300
    state = npgrad.load(tmp_path / "siamese.safetensors")
    assert any(k.startswith("backbone.") for k in state) and any(
        k.startswith("head.") for k in state
    )


# LFW's layout (root/lfw-py/lfw_funneled/<Name>/<Name>_0001.jpg) and list formats, in miniature:
# pairs.txt has 2 folds of 2 matched + 2 mismatched pairs, pairsDevTrain.txt 3 + 3.
PEOPLE = {"Ann_Lee": 3, "Bob_Ray": 3, "Cy_Young": 2, "Di_Ho": 2}
PAIRS = """2\t2
Ann_Lee\t1\t2
Bob_Ray\t1\t3
Ann_Lee\t3\tBob_Ray\t1
Cy_Young\t1\tDi_Ho\t2
Cy_Young\t1\t2
Di_Ho\t1\t2
Bob_Ray\t2\tCy_Young\t1
Di_Ho\t1\tAnn_Lee\t2
"""
PAIRS_DEV_TRAIN = """3
Ann_Lee\t1\t3
Bob_Ray\t2\t3
Di_Ho\t1\t2
Ann_Lee\t2\tCy_Young\t2
Bob_Ray\t1\tDi_Ho\t1
Cy_Young\t2\tAnn_Lee\t1
"""


def _make_lfw(root: Path) -> Path:
    base = root / "lfw-py"
    rng = np.random.default_rng(0)
    for person, (name, count) in enumerate(PEOPLE.items()):
        (base / "lfw_funneled" / name).mkdir(parents=True)
        # 250x250 like LFW; each person a colour of their own, each photo its own noise
        face = np.full((250, 250, 3), 60 * person + 30, dtype=np.int16)
        for i in range(1, count + 1):
            photo = np.clip(face + rng.integers(-25, 26, face.shape), 0, 255).astype(np.uint8)
            Image.fromarray(photo).save(base / "lfw_funneled" / name / f"{name}_{i:04d}.jpg")
    (base / "pairs.txt").write_text(PAIRS)
    (base / "pairsDevTrain.txt").write_text(PAIRS_DEV_TRAIN)
    return root


def test_siamese_digits_on_a_local_lfw_tree(tmp_path, capsys):
    example = _load_example("siamese_digits")
    lfw = _make_lfw(tmp_path / "lfw")
    out_dir = tmp_path / "out"
    args = ["--lfw-root", str(lfw), "--epochs", "1", "--image-size", "16", "--out", str(out_dir)]
    result = example.main(args)
    out = capsys.readouterr().out
    assert "6 training and 8 test pairs" in out
    assert "2-fold accuracy" in out  # pairs.txt's own folds, not 10 consecutive blocks
    assert 0.0 <= result["accuracy"] <= 1.0 and 0.0 <= result["auc"] <= 1.0
    assert _png_size(out_dir / "roc.png")[0] > 300
    assert (out_dir / "siamese.safetensors").stat().st_size > 0


def test_siamese_lfw_without_training_pairs(tmp_path, capsys):
    example = _load_example("siamese_digits")
    lfw = _make_lfw(tmp_path / "lfw")
    (lfw / "lfw-py" / "pairsDevTrain.txt").unlink()
    common = ["--lfw-root", str(lfw), "--image-size", "16", "--out", str(tmp_path / "out")]
    with pytest.raises(SystemExit, match="pairsDevTrain.txt"):
        example.main(common)
    result = example.main([*common, "--epochs", "0"])  # evaluating the untrained net needs none
    assert "0 training and 8 test pairs" in capsys.readouterr().out
    assert 0.0 <= result["auc"] <= 1.0


# ---- char_lstm.py ------------------------------------------------------------------------------
def test_char_lstm(tmp_path, capsys, monkeypatch):
    # the example sets OPENBLAS_NUM_THREADS for its own process; keep it out of this one's
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    example = _load_example("char_lstm")
    args = ["--steps", "6", "--eval-every", "3", "--hidden-size", "32", "--seq-len", "32"]
    args += ["--sample-length", "40", "--prompt", "When in ", "--out", str(tmp_path)]
    result = example.main(args)
    assert result["final_loss"] < result["initial_loss"]
    sample = (tmp_path / "sample.txt").read_text(encoding="utf-8")
    assert sample.startswith("When in ") and len(sample) == len("When in ") + 40 + 1
    assert sample.rstrip("\n") == result["sample"]
    out = capsys.readouterr().out
    assert "step    3:" in out and "step    6:" in out and "bits/char" in out
    assert _png_size(tmp_path / "loss.png") == (640, 400)

    saved = npgrad.load(tmp_path / "char_lstm.safetensors")
    alphabet = saved["alphabet"]
    assert "W" in alphabet and len(alphabet) == len(set(alphabet))
    twin = example.CharLSTM(len(alphabet), hidden_size=32)
    twin.load_state_dict(saved["model"])
    assert set(twin.state_dict()) >= {"embedding.weight", "lstm.weight_ih_l0", "decoder.weight"}


def test_char_lstm_rejects_a_prompt_outside_the_alphabet(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    example = _load_example("char_lstm")
    with pytest.raises(SystemExit):
        example.main(["--prompt", "{}", "--out", str(tmp_path)])
    assert "--prompt has characters that the text lacks" in capsys.readouterr().err


# ---- torch_interop.py --------------------------------------------------------------------------
def test_torch_interop_reads_a_pt_checkpoint_without_torch(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    example = _load_example("torch_interop")
    result = example.main(["--checkpoint", str(TORCH_CHECKPOINT)])
    assert result["keys"] == TINY_CNN_KEYS
    assert result["accuracy"] >= 0.9  # the fixture was trained by torch to 94 %
    assert result["max_diff"] is None
    out = capsys.readouterr().out
    assert "1.num_batches_tracked  ()" in out and "int64" in out
    assert "torch is not installed" in out


def test_torch_interop_script_runs_without_torch():
    # the command line itself, in a fresh interpreter where torch cannot be imported
    code = (
        "import runpy, sys; sys.modules['torch'] = None; "
        f"sys.argv = ['torch_interop.py', '--checkpoint', {str(TORCH_CHECKPOINT)!r}]; "
        f"runpy.run_path({str(EXAMPLES / 'torch_interop.py')!r}, run_name='__main__')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "test accuracy" in done.stdout and "8.weight" in done.stdout


def test_torch_interop_needs_one_checkpoint_option(capsys):
    example = _load_example("torch_interop")
    with pytest.raises(SystemExit):
        example.main([])
    assert "--checkpoint PATH or --make-checkpoint PATH" in capsys.readouterr().err


@pytest.mark.torch
def test_torch_interop_writes_with_torch_and_matches_it(tmp_path):
    pytest.importorskip("torch")
    example = _load_example("torch_interop")
    path = tmp_path / "tiny.pt"
    result = example.main(["--make-checkpoint", str(path), "--epochs", "1"])
    assert path.stat().st_size < 100_000
    assert result["keys"] == TINY_CNN_KEYS
    assert result["max_diff"] < 1e-4  # npgrad's twin computes torch's logits
