"""Binder (`.binder/`) and conda (`environment.yml`) install what pyproject.toml pins, and nothing else.

pyproject.toml is the one source of truth for versions:

- **Binder.** repo2docker reads only `.binder/` once that folder exists (`BuildPack.binder_dir` in
  repo2docker/buildpacks/base.py), picks its Python build pack for `.binder/requirements.txt` and
  `.binder/runtime.txt` (python/__init__.py: `detect`, `python_version`), runs
  ``pip install --no-cache-dir -r .binder/requirements.txt`` in its environment (`_get_pip_scripts`),
  then `.binder/postBuild` from the repository root (base.py's Dockerfile template). The
  requirements are the runtime pins, copied; a test here fails when they disagree with pyproject.toml.
- **conda.** environment.yml asks conda for Python and pip only; conda runs its pip section as a
  requirements file with the environment file's folder as working directory
  (conda/env/installers/pip.py), so ``-e .`` installs this project with pyproject.toml's pins.

The slow test builds a virtual environment from `.binder/`'s files alone, the way repo2docker runs
pip, and runs every notebook in a kernel of that environment. It runs when MTP_BINDER_TEST=1 (CI and
``make binder-test`` set it); otherwise it is skipped with a message saying so.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / ".binder"
NOTEBOOKS = ROOT / "notebooks"
BINDER_VENV = ROOT / "build" / "binder-venv"
# The pip of repo2docker's base environment for Python 3.11
# (repo2docker/buildpacks/conda/environment.py-3.11-linux-64.lock: pip-25.2).
REPO2DOCKER_PIP = "pip==25.2"
# Dev tools that no runtime package depends on: none of them may reach Binder's environment.
# (psutil, pyyaml and nbclient are dev pins too, but ipykernel and jupyter_server require them.)
DEV_TOOLS = ("pytest", "nbval", "ruff", "playwright", "nbstripout", "pre-commit")
CELL_TIMEOUT_S = 180  # as nbval's --nbval-cell-timeout in pyproject.toml
INSTALL_TIMEOUT_S = 1200


def binder_test_required() -> bool:
    return os.environ.get("MTP_BINDER_TEST", "") not in ("", "0")


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def requirement_lines(text: str) -> list[str]:
    """The requirement lines of a pip requirements file: comments and blank lines dropped."""
    lines = (line.split(" #", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def canonical(requirement_text: str) -> str:
    requirement = Requirement(requirement_text)
    marker = f"; {requirement.marker}" if requirement.marker else ""
    return f"{requirement.name.lower()}{requirement.specifier}{marker}"


def requirement_disagreements(dependencies: list[str], requirements_text: str) -> list[str]:
    """How `.binder/requirements.txt` differs from pyproject.toml's [project] dependencies."""
    ours = {canonical(text) for text in dependencies}
    theirs = {canonical(text) for text in requirement_lines(requirements_text)}
    return ([f"missing from .binder/requirements.txt: {t}" for t in sorted(ours - theirs)]
            + [f"not in pyproject.toml's dependencies: {t}" for t in sorted(theirs - ours)])


def is_local_requirement(line: str) -> bool:
    """Whether repo2docker would treat `line` as local (utils.is_local_pip_requirement), which moves the
    pip step after the copy of the whole repository: then every push rebuilds it."""
    line = line.split("#", 1)[0].strip()
    if line.startswith(("-r", "-c", "--requirement", "--constraint")):
        return True
    if line.startswith("--") and "=" in line:
        line = line.split("=", 1)[1]
    elif line.startswith("-"):
        line = line.split(None, 1)[1] if " " in line else ""
    return line.startswith((".", "/", "file:"))


def runtime_python() -> str:
    """'3.11' from .binder/runtime.txt ('python-3.11'), in repo2docker's name-version format."""
    text = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", text)
    assert match, f".binder/runtime.txt: expected 'python-X.Y', got {text!r}"
    return match.group(1)


# --- Binder: .binder/ against pyproject.toml -------------------------------------------------------


def test_binder_requirements_are_exactly_the_runtime_pins():
    problems = requirement_disagreements(pyproject()["project"]["dependencies"],
                                         (BINDER / "requirements.txt").read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


def test_requirement_check_notices_a_changed_a_missing_and_an_extra_pin():
    dependencies = pyproject()["project"]["dependencies"]
    text = (BINDER / "requirements.txt").read_text(encoding="utf-8")
    changed = text.replace("keras==3.15.*", "keras==3.14.*").replace("numpy==2.4.*\n", "") + "pytest==9.2.*\n"
    assert requirement_disagreements(dependencies, changed) == [
        "missing from .binder/requirements.txt: keras==3.15.*",
        "missing from .binder/requirements.txt: numpy==2.4.*",
        "not in pyproject.toml's dependencies: keras==3.14.*",
        "not in pyproject.toml's dependencies: pytest==9.2.*",
    ]


def test_binder_requirements_have_no_local_path_so_repo2docker_can_cache_them():
    local = [line for line in requirement_lines((BINDER / "requirements.txt").read_text(encoding="utf-8"))
             if is_local_requirement(line)]
    assert not local, f"local references in .binder/requirements.txt: {local}"
    examples = ("-e .", "--editable=.", "./src", "-r dev.txt", "keras==3.15.*")
    assert [is_local_requirement(t) for t in examples] == [True, True, True, True, False]


def test_binder_postbuild_adds_only_the_helpers_package():
    commands = [line.strip() for line in (BINDER / "postBuild").read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert commands[0].startswith("set -e")
    assert commands[1:] == ["python -m pip install --no-cache-dir --no-deps -e .",
                            "python -m helpers.lab_settings"]


def test_binder_folder_holds_only_what_repo2docker_should_read():
    # A Dockerfile, environment.yml, Pipfile, Project.toml, default.nix ... in .binder/ would select
    # another build pack; a binder/ folder beside .binder/ makes repo2docker refuse to build.
    assert sorted(p.name for p in BINDER.iterdir()) == ["postBuild", "requirements.txt", "runtime.txt"]
    assert not (ROOT / "binder").exists()


def test_binder_python_is_allowed_by_requires_python():
    requires = SpecifierSet(pyproject()["project"]["requires-python"])
    assert requires.contains(runtime_python() + ".0"), (runtime_python(), str(requires))


# --- conda: environment.yml ------------------------------------------------------------------------


def conda_environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def test_environment_yml_pins_nothing_but_python_and_takes_the_rest_from_pyproject():
    dependencies = conda_environment()["dependencies"]
    conda_packages = [d for d in dependencies if isinstance(d, str)]
    pip_sections = [d["pip"] for d in dependencies if isinstance(d, dict)]
    assert conda_packages == [f"python={runtime_python()}", "pip"]
    assert pip_sections == [["-e ."]]


def test_environment_yml_python_is_allowed_by_requires_python():
    dependencies = conda_environment()["dependencies"]
    python = next(d for d in dependencies if isinstance(d, str) and d.startswith("python="))
    assert SpecifierSet(pyproject()["project"]["requires-python"]).contains(python.split("=")[1] + ".0")


# --- the slow test: every notebook in an environment built from .binder/ alone -------------------


def find_python(version: str) -> str | None:
    """A Python `version` ('3.11') interpreter: this one if it is that version, else pythonX.Y on PATH."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    return shutil.which(f"python{version}")


def binder_fingerprint(python: str) -> str:
    """What the environment is built from: .binder/'s files, pyproject.toml, the interpreter."""
    digest = hashlib.sha256(python.encode())
    for path in sorted(BINDER.iterdir()) + [ROOT / "pyproject.toml"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def run(command: list[str], **kwargs) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S,
                            **kwargs)
    assert result.returncode == 0, (f"{' '.join(command)} failed ({result.returncode}):\n"
                                    f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def build_binder_venv(python: str) -> Path:
    """build/binder-venv from .binder/ alone, as repo2docker does it; reused while its files are unchanged.

    The one difference: pip's cache is allowed (repo2docker passes --no-cache-dir, which changes only
    where wheels come from, not what is resolved).
    """
    stamp = BINDER_VENV / ".binder-fingerprint"
    fingerprint = binder_fingerprint(python)
    if stamp.exists() and stamp.read_text() == fingerprint:
        return BINDER_VENV
    shutil.rmtree(BINDER_VENV, ignore_errors=True)
    run([python, "-m", "venv", str(BINDER_VENV)])
    pip = str(BINDER_VENV / "bin" / "pip")
    run([pip, "install", "--quiet", REPO2DOCKER_PIP])
    run([pip, "install", "--quiet", "-r", ".binder/requirements.txt"])
    env = {**os.environ, "PATH": f"{BINDER_VENV / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    run(["./.binder/postBuild"], env=env)
    stamp.write_text(fingerprint)
    return BINDER_VENV


def installed_distributions(venv: Path) -> set[str]:
    result = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=json"],
                            capture_output=True, text=True, check=True)
    return {canonicalize_name(entry["name"]) for entry in json.loads(result.stdout)}


def kernel_spec_dir(venv: Path, parent: Path) -> Path:
    """A kernelspec whose kernel is the Binder environment's own Python and ipykernel."""
    folder = parent / "kernels" / "mtp-binder"
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps({
        "argv": [str(venv / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (Binder environment)", "language": "python",
        "env": {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", "VIRTUAL_ENV": str(venv)},
    }))
    return folder.parent


def execute_in(kernels: Path, notebook, cwd: Path) -> None:
    """Run every cell of `notebook` in a fresh Binder kernel; raises on an error (raises-exception cells
    may raise, as under nbval)."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory(prefix="mtp-binder-") as sockets:
        manager = AsyncKernelManager(
            kernel_name="mtp-binder", transport="ipc", ip=str(Path(sockets) / "kernel"),
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)], ensure_native_kernel=False),
        )
        client = NotebookClient(notebook, km=manager, timeout=CELL_TIMEOUT_S, allow_errors=False,
                                shutdown_kernel="immediate", resources={"metadata": {"path": str(cwd)}})
        client.widget_registry = {}  # no front-end mimic: see benchmarks/run_all.py
        client.execute(cleanup_kc=True, stderr=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def binder_venv() -> Path:
    if not binder_test_required():
        pytest.skip("builds a ~2 GB environment from .binder/ and runs every notebook in it (about 3 min "
                    "with a warm pip cache): set MTP_BINDER_TEST=1 or run `make binder-test` (CI does)")
    version = runtime_python()
    python = find_python(version)
    if python is None:
        pytest.fail(f"MTP_BINDER_TEST is set, but no Python {version} (.binder/runtime.txt) was found: "
                    f"put python{version} on PATH", pytrace=False)
    return build_binder_venv(python)


def test_binder_environment_has_no_dev_tool(binder_venv):
    installed = installed_distributions(binder_venv)
    assert not installed & set(DEV_TOOLS), sorted(installed & set(DEV_TOOLS))
    assert {"mind-the-pad", "keras", "tensorflow-cpu", "jupyterlab", "ipykernel"} <= installed


def test_every_notebook_runs_in_the_binder_environment(binder_venv, tmp_path):
    import nbformat

    kernels = kernel_spec_dir(binder_venv, tmp_path)
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import sys, helpers, keras\nprint(sys.prefix)\nprint(helpers.__file__)")])
    execute_in(kernels, probe, NOTEBOOKS)
    printed = "".join(output.get("text", "") for output in probe.cells[0].outputs)
    prefix, helpers_file = printed.split()
    assert Path(prefix) == binder_venv, "the kernel did not run from the Binder environment"
    assert Path(helpers_file).is_relative_to(ROOT / "src"), "helpers should be the editable install of src/"

    failures = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
        try:
            execute_in(kernels, nbformat.read(path, as_version=4), NOTEBOOKS)
        except Exception as exc:  # noqa: BLE001 - collect every failing notebook, then fail once
            failures.append(f"{path.name}: {type(exc).__name__}: {str(exc).strip()[-1500:]}")
    assert not failures, "notebooks that fail in Binder's environment:\n\n" + "\n\n".join(failures)


def test_binder_jupyterlab_has_no_news_prompt(binder_venv):
    """JupyterLab's own reader, run in the Binder environment, finds the project's defaults."""
    script = ("import json, sys\nfrom jupyterlab_server.settings_utils import _get_overrides\n"
              "overrides, error = _get_overrides(sys.prefix + '/share/jupyter/lab/settings')\n"
              "print(json.dumps([overrides, error]))")
    result = subprocess.run([str(binder_venv / "bin" / "python"), "-c", script],
                            capture_output=True, text=True, check=True)
    overrides, error = json.loads(result.stdout)
    assert not error
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
