"""JupyterLab defaults for this environment: no "get notified about news" prompt, no update check.

JupyterLab reads a package's default settings from ``{sys.prefix}/share/jupyter/lab/settings/
overrides.d/*.json``, below the learner's own settings, and leaves ``overrides.json`` (the user's
file) alone. A regular install (``pip install .``) puts ``mind-the-pad.json`` there as a data file;
an editable install (``pip install -e .``: ``make install``, Binder's ``postBuild``, conda's
``environment.yml``) does not, so those run ``python -m helpers.lab_settings``, which copies it.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

OVERRIDES_NAME = "mind-the-pad.json"


def overrides_path(prefix: str | Path = sys.prefix) -> Path:
    """Where JupyterLab in the environment at ``prefix`` reads this project's default settings."""
    return Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / OVERRIDES_NAME


def packaged_overrides() -> str:
    """The settings file shipped inside the ``helpers`` package (one source for both install routes)."""
    return resources.files("helpers").joinpath(OVERRIDES_NAME).read_text(encoding="utf-8")


def install(prefix: str | Path = sys.prefix) -> Path:
    """Write the settings file into the environment at ``prefix``; returns its path. Idempotent."""
    path = overrides_path(prefix)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(packaged_overrides(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"JupyterLab defaults written to {install()}")
