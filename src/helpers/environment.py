"""Set up a notebook: seeds, determinism, quiet logs and projector-friendly plots."""

from __future__ import annotations

import gc
import importlib
import logging
import os
import platform
import random
import warnings
from importlib import metadata

# Okabe & Ito (2008): eight colours that stay distinct for the common colour-vision deficiencies.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)

PROJECTOR_RC = {
    "figure.figsize": (10, 4),
    "figure.dpi": 100,
    "figure.autolayout": False,
    "font.size": 14,
    "axes.titlesize": 16,
    "axes.labelsize": 14,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "lines.linewidth": 2.5,
    "lines.markersize": 8,
    "axes.grid": False,
    "image.cmap": "viridis",
}

_PACKAGES = ("keras", "numpy", "matplotlib", "ipywidgets")


def quiet_tensorflow_logs() -> None:
    """Silence TensorFlow's C++ start-up chatter; must run before TensorFlow is imported."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # TensorFlow 2.21 prints its oneDNN notice whatever the log level; turning the oneDNN
    # rewrites off also keeps CPU numerics identical to the NumPy reference in helpers.trace.
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def versions() -> dict[str, str]:
    """Versions of Python, the Keras backend in use (``backend``) and its library, and the packages
    the notebooks rely on."""
    import keras

    backend = keras.backend.backend()
    found = {"python": platform.python_version(), "backend": backend}
    found[backend] = importlib.import_module(backend).__version__
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


def set_plot_defaults() -> None:
    """Large fonts and a colour-blind-safe colour cycle, readable from the back of a room."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(PROJECTOR_RC)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=OKABE_ITO)


def freeze_startup_objects() -> None:
    """Keep the garbage collector from walking TensorFlow's start-up objects again and again.

    Importing TensorFlow and Keras leaves about 350 000 objects that live as long as the kernel.
    Every full garbage collection walks all of them, about 0.17 s each time, once or twice per
    notebook. ``gc.freeze`` moves the objects that exist now out of the collector's sight (it does not
    free them, and at this point they hold fewer than 100 unreachable ones). Only the first call in a
    process freezes: later calls would also hide whatever garbage a session has made since.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()


def use_plain_tracebacks() -> bool:
    """In IPython, show errors as compact plain tracebacks (``%xmode Plain``) rather than with context.

    Keras errors pass through many library frames. The plain format lists each as file, line and
    code, as Python itself does, and appears at once; the default format parses and highlights the
    source around every frame, 0.1 to 0.25 s per error. ``%xmode Context`` switches back.
    Returns False, changing nothing, outside IPython.
    """
    shell = ipython_shell()
    if shell is None:
        return False
    shell.InteractiveTB.set_mode("Plain")
    return True


def ipython_shell():
    """The running IPython shell, or None outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def setup(seed: int = 42) -> dict[str, str]:
    """Prepare a notebook and return the versions found.

    Seeds Python, NumPy and Keras with ``seed``, turns on TensorFlow op determinism,
    silences TensorFlow's logs and the warnings that do not help a learner, sets
    projector-friendly matplotlib defaults, keeps the garbage collector off TensorFlow's start-up
    objects (``freeze_startup_objects``) and, in a notebook, shows plain tracebacks
    (``use_plain_tracebacks``) and skips the costly crop of figures that fit their canvas
    (``helpers.rendering``). Call it once, in the setup cell.
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed: expected an int, got {type(seed).__name__} ({seed!r})")
    quiet_tensorflow_logs()
    import keras
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":  # other backends never import TensorFlow here
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
        tf.get_logger().setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*does not have a `build\\(\\)` method.*")

    set_plot_defaults()
    freeze_startup_objects()
    use_plain_tracebacks()
    from helpers.rendering import use_one_pass_png

    use_one_pass_png()
    from helpers.backends import NAMES, register_magics

    register_magics()
    found = versions()
    print(f"Keras {found['keras']} on the {NAMES[found['backend']]} backend ({found[found['backend']]})")
    return found


def environment_report() -> list[dict[str, str | bool]]:
    """Compare every installed dependency with the pin the project declares.

    Returns one row per pinned package: ``package``, ``pinned``, ``found`` and ``ok``.
    """
    from packaging.requirements import Requirement

    rows = []
    for text in metadata.requires("mind-the-pad") or []:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        try:
            found = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            found = "missing"
        ok = found != "missing" and requirement.specifier.contains(found, prereleases=True)
        rows.append(
            {"package": requirement.name, "pinned": str(requirement.specifier), "found": found, "ok": ok}
        )
    return rows
