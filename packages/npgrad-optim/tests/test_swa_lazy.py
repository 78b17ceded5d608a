"""swa_utils re-exports npgrad-nn's AveragedModel and update_bn on first use: found when
npgrad-nn is installed, an ImportError that says how to install it when it is not, and in both
cases importing (and star-importing) ``npgrad.optim.swa_utils`` never imports ``npgrad.nn``."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap

import pytest

from npgrad.optim import swa_utils

NN_MODULES = ("npgrad.nn", "npgrad.nn.utils", "npgrad.nn.utils.swa")


def _hide_npgrad_nn(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes the import machinery refuse the module, as if not installed
    for name in NN_MODULES:
        monkeypatch.setitem(sys.modules, name, None)


def test_names_come_from_npgrad_nn_when_installed() -> None:
    pytest.importorskip("npgrad.nn")
    from npgrad.nn.utils import swa
    from npgrad.optim.swa_utils import AveragedModel, update_bn

    assert AveragedModel is swa.AveragedModel and update_bn is swa.update_bn
    assert swa_utils.AveragedModel is swa.AveragedModel
    assert {"AveragedModel", "update_bn"} <= set(swa_utils.__all__)
    assert {"AveragedModel", "update_bn", "SWALR"} <= set(dir(swa_utils))


@pytest.mark.parametrize("name", ["AveragedModel", "update_bn"])
def test_missing_npgrad_nn_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    _hide_npgrad_nn(monkeypatch)
    with pytest.raises(ImportError, match=rf"swa_utils\.{name} .*`pip install npgrad-nn`"):
        getattr(swa_utils, name)
    with pytest.raises(ImportError, match="pip install npgrad-nn"):
        exec(f"from npgrad.optim.swa_utils import {name}", {})


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="'npgrad.optim.swa_utils' has no attribute 'EMA'"):
        swa_utils.EMA  # noqa: B018
    assert not hasattr(swa_utils, "averaged_model")


def test_another_missing_module_is_not_blamed_on_npgrad_nn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(name: str) -> None:
        raise ModuleNotFoundError("No module named 'scipy'", name="scipy")

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError, match="'scipy'") as info:
        swa_utils.AveragedModel  # noqa: B018
    assert "npgrad-nn" not in str(info.value)


def test_without_npgrad_nn_in_a_fresh_interpreter() -> None:
    # a fresh process: this one may have imported npgrad.nn already
    code = textwrap.dedent(
        """
        import json, sys
        for name in ("npgrad.nn", "npgrad.nn.utils", "npgrad.nn.utils.swa"):
            sys.modules[name] = None
        import npgrad.optim.swa_utils as s
        from npgrad.optim.swa_utils import *
        try:
            s.update_bn
            error = None
        except ImportError as e:
            error = str(e)
        print(json.dumps({"all": s.__all__, "star": "SWALR" in dir(), "error": error}))
        """
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    out = json.loads(run.stdout)
    assert out["star"] and "AveragedModel" not in out["all"] and "SWALR" in out["all"]
    assert "pip install npgrad-nn" in out["error"]


def test_star_import_with_npgrad_nn_does_not_need_it_at_import_time() -> None:
    pytest.importorskip("npgrad.nn")
    code = textwrap.dedent(
        """
        import json, sys
        import npgrad.optim.swa_utils
        before = "npgrad.nn" in sys.modules
        from npgrad.optim.swa_utils import *
        print(json.dumps({"before": before, "found": AveragedModel.__module__}))
        """
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    out = json.loads(run.stdout)
    assert out == {"before": False, "found": "npgrad.nn.utils.swa"}
