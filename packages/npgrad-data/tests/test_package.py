"""The npgrad-data distribution: how ``npgrad.data`` is found, versioned and what it imports."""

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import npgrad
import npgrad.data


def test_subpackage_resolves_through_core() -> None:
    from npgrad import data

    assert data is npgrad.data
    assert Path(data.__file__).parts[-3:] == ("npgrad", "data", "__init__.py")


def test_distribution_version_matches_core() -> None:
    assert version("npgrad-data") == version("npgrad-core") == npgrad.__version__


def test_imports_no_package_it_must_not_depend_on() -> None:
    # DESIGN §2: dependencies between the packages never go the other way. A fresh interpreter,
    # because other tests in this process may have imported anything.
    code = "import json, sys, npgrad.data; print(json.dumps(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {name.split(".")[1] for name in json.loads(run.stdout) if name.startswith("npgrad.")}
    assert loaded.isdisjoint(["nn", "optim", "vision"]), f"npgrad.data imported {sorted(loaded)}"
