"""Run one masked Bidirectional(LSTM) model on each Keras backend, each in a fresh Python, and compare.

The backend is fixed when Keras is imported, so a kernel cannot switch it. ``run_backend`` writes the
model's weights and a padded batch to an ``.npz`` file, starts ``python -m helpers.backend_runs CASE
RESULT`` with ``KERAS_BACKEND`` set, and reads back what that process measured (``BackendRun``).
Each process hides the other backends' libraries, as on a machine with only its own installed: Keras
imports TensorFlow (and, on PyTorch, JAX) whenever it finds them, which costs up to half a gigabyte.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.backends import BACKENDS, NAMES, installed

LIBRARIES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
_FACTS = ("tensor_type", "mask_type", "mask_attached", "mask_after_op", "call_seconds",
          "predict_seconds", "jit_compile", "out_of_range", "versions")


@dataclass(frozen=True)
class BackendRun:
    """What one backend computed and measured for the case (see ``measure``).

    outputs, predicted, alone: (batch, 2 * units) float32: ``model(ids)`` on the padded batch,
    ``model.predict_on_batch(ids)``, and each sequence run alone without padding.
    mask: (batch, time) bool, the mask the embedding attached to its output.
    """

    backend: str
    outputs: np.ndarray
    predicted: np.ndarray
    alone: np.ndarray
    mask: np.ndarray
    tensor_type: str
    mask_type: str
    mask_attached: bool
    mask_after_op: bool
    call_seconds: float
    predict_seconds: float
    jit_compile: bool
    out_of_range: str
    versions: dict

    @property
    def masked_vs_alone(self) -> float:
        """Largest |padded and masked - alone| over the batch."""
        return float(np.abs(self.outputs - self.alone).max())


def build_model(vocabulary: int, dim: int, units: int, name: str = "tiny_bilstm"):
    """``Embedding(vocabulary, dim, mask_zero=True)`` then ``Bidirectional(LSTM(units))``, built.

    Takes ids (batch, time) int32, 0 for padding; returns (batch, 2 * units).
    """
    import keras

    for argument, value in (("vocabulary", vocabulary), ("dim", dim), ("units", units)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{argument}: expected a positive int, got {value!r}")
    model = keras.Sequential([
        keras.Input((None,), dtype="int32", name="ids"),
        keras.layers.Embedding(int(vocabulary), int(dim), mask_zero=True, name="embed"),
        keras.layers.Bidirectional(keras.layers.LSTM(int(units)), name="bilstm"),
    ], name=name)
    return model


def write_case(path: str | Path, model, ids) -> Path:
    """Save the sizes and weights of a ``build_model`` model and ids (batch, time) to ``path`` (.npz)."""
    ids = np.asarray(ids)
    if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids: expected (batch, time) integer ids, got {ids.dtype} of shape {ids.shape}")
    embed, bilstm = model.get_layer("embed"), model.get_layer("bilstm")
    sizes = np.array([embed.input_dim, embed.output_dim, bilstm.forward_layer.units])
    weights = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}
    np.savez(path, ids=ids.astype("int32"), sizes=sizes, **weights)
    return Path(path)


def read_case(path: str | Path):
    """The model and ids saved by ``write_case``, rebuilt on this process's backend."""
    with np.load(path) as case:
        model = build_model(*(int(s) for s in case["sizes"]))
        model.set_weights([case[f"weight_{i}"] for i in range(len(case.files) - 2)])
        return model, case["ids"]


def out_of_range_effect(embed) -> str:
    """What ``embed`` (an Embedding) does with the id ``input_dim``, one past its last row."""
    import keras

    try:
        looked_up = keras.ops.convert_to_numpy(embed(np.array([[embed.input_dim]], "int32")))[0, 0]
    except Exception as error:  # each backend raises its own error type
        return f"raises {type(error).__name__}"
    table = keras.ops.convert_to_numpy(embed.embeddings)
    if np.isnan(looked_up).all():
        return "returns NaN"
    if np.array_equal(looked_up, table[-1]):
        return "returns the last row (clamped)"
    if not looked_up.any():
        return "returns zeros"
    return "returns other values"


def _type_name(value) -> str:
    return f"{type(value).__module__.split('.')[0]}.{type(value).__name__}"


def measure(model, ids) -> dict:
    """Run ``model`` (from ``build_model``) on ``ids`` here and measure the facts ``BackendRun`` holds."""
    import keras

    from helpers.backends import backend
    from helpers.environment import versions
    from helpers.timing import measure as time_call
    from helpers.unpadded import run_alone

    masking = importlib.import_module("keras.src.backend.common.masking")
    embedded = model.get_layer("embed")(ids)
    mask = masking.get_keras_mask(embedded)
    model.compile()
    return {
        "outputs": keras.ops.convert_to_numpy(model(ids)),
        "predicted": np.asarray(model.predict_on_batch(ids)),
        "alone": run_alone(model, [row[row != 0] for row in ids]),
        "mask": keras.ops.convert_to_numpy(mask), "tensor_type": _type_name(embedded),
        "mask_type": _type_name(mask), "mask_attached": "_keras_mask" in getattr(embedded, "__dict__", {}),
        "mask_after_op": masking.get_keras_mask(embedded * 2.0) is not None,
        "call_seconds": time_call(lambda: keras.ops.convert_to_numpy(model(ids)), repeats=3).best,
        "predict_seconds": time_call(lambda: model.predict_on_batch(ids), repeats=3).best,
        "jit_compile": bool(model.jit_compile), "out_of_range": out_of_range_effect(model.get_layer("embed")),
        "versions": {**versions(), "backend": backend()},
    }


def write_result(path: str | Path, found: dict) -> None:
    """Save what ``measure`` found: arrays in ``path`` (.npz), the other facts as JSON inside it."""
    facts = json.dumps({name: found[name] for name in _FACTS})
    arrays = {name: value for name, value in found.items() if name not in _FACTS}
    np.savez(path, facts=np.array(facts), **arrays)


def read_result(path: str | Path, backend: str) -> BackendRun:
    """The ``BackendRun`` saved by ``write_result``."""
    with np.load(path) as saved:
        facts = json.loads(str(saved["facts"]))
        arrays = {name: saved[name] for name in ("outputs", "predicted", "alone", "mask")}
    return BackendRun(backend=backend, **arrays, **facts)


def backend_environment(backend: str) -> dict[str, str]:
    """This process's environment with ``KERAS_BACKEND`` set and ``src`` on the path."""
    source = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": path, "TF_CPP_MIN_LOG_LEVEL": "3"}


def run_backend(backend: str, case: str | Path, timeout: float = 300.0) -> BackendRun:
    """Run the case saved by ``write_case`` in a fresh Python on ``backend``; raise if it fails."""
    if backend not in BACKENDS:
        raise ValueError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    result = Path(case).with_name(f"result-{backend}.npz")
    done = subprocess.run([sys.executable, "-m", "helpers.backend_runs", str(case), str(result)],
                          env=backend_environment(backend), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no error message)"])[-1]
        raise RuntimeError(f"the {NAMES[backend]} run failed with exit status {done.returncode}: {last}")
    return read_result(result, backend)


def skip_line(backend: str) -> str:
    """The one line that says a backend was skipped because its library is not installed."""
    return (f"Skipped {NAMES[backend]}: {LIBRARIES[backend]} is not installed here; "
            f"pip install -e '.[{backend}]' to compare it too.")


def compare_backends(model, ids, backends=BACKENDS) -> tuple[dict[str, BackendRun], dict[str, str]]:
    """Run ``model`` on ``ids`` on every installed backend, one fresh Python at a time.

    Returns ({backend: BackendRun} for those that ran, {backend: skip line} for the others).
    """
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown:
        raise ValueError(f"backends: expected names from {BACKENDS}, got {unknown}")
    runs, skipped = {}, {}
    with tempfile.TemporaryDirectory(prefix="mind-the-pad-") as folder:
        case = write_case(Path(folder) / "case.npz", model, ids)
        for name in backends:
            if installed(LIBRARIES[name]):
                runs[name] = run_backend(name, case)
            else:
                skipped[name] = skip_line(name)
    return runs, skipped


def largest_difference(runs: dict[str, BackendRun]) -> float:
    """Largest |outputs(a) - outputs(b)| over every pair of runs (0.0 for fewer than two)."""
    outputs = [run.outputs for run in runs.values()]
    pairs = [np.abs(a - b).max() for i, a in enumerate(outputs) for b in outputs[i + 1:]]
    return float(max(pairs, default=0.0))


def speed_table(runs: dict[str, BackendRun]) -> str:
    """A Markdown table: milliseconds per eager call and per ``predict_on_batch``, one row per backend."""
    rows = ["| backend | version | `model(ids)` (ms) | `predict_on_batch` (ms) | `jit_compile` |",
            "| --- | --- | --- | --- | --- |"]
    for name, run in runs.items():
        version = run.versions.get(name, "–")
        rows.append(f"| {NAMES[name]} | {version} | {1e3 * run.call_seconds:.2f} | "
                    f"{1e3 * run.predict_seconds:.2f} | {run.jit_compile} |")
    return "\n".join(rows)


def hide_other_backends(backend: str) -> list[str]:
    """Make ``import`` of the other backends' libraries raise ImportError in this process, before
    Keras is imported, as on a machine with only ``backend`` installed; returns the hidden names.

    Keras imports TensorFlow (and, on PyTorch, JAX) whenever it finds them: 0.1 to 0.5 GB each.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    hidden = [LIBRARIES[b] for b in BACKENDS if b != backend and LIBRARIES[b] not in sys.modules]
    for library in hidden:
        sys.modules[library] = None  # the import system's own "not importable" marker
    return hidden


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.backend_runs CASE RESULT``: measure the case on this process's backend."""
    arguments = sys.argv[1:] if argv is None else argv
    if len(arguments) != 2:
        print("usage: python -m helpers.backend_runs CASE.npz RESULT.npz", file=sys.stderr)
        return 2
    hide_other_backends(os.environ.get("KERAS_BACKEND", "tensorflow"))
    model, ids = read_case(arguments[0])
    write_result(arguments[1], measure(model, ids))
    return 0


if __name__ == "__main__":
    sys.exit(main())
