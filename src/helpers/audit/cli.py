"""``mind-the-pad audit MODEL.keras BATCH.npz``: audit a saved model from the command line.

Exit status: 0 when the audit finds nothing, 1 when it finds a leak or hazard, 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

OK, FOUND, BAD_INPUT = 0, 1, 2
NPZ_HELP = (
    "an .npz file: one array is the batch; with several, those named like the model's inputs "
    "are the batch, and 'mask', 'lengths', 'targets' and 'sample_weight' (unless the model has "
    "an input of that name) are read as the audit's arguments"
)


class BadInput(Exception):
    """What the user gave cannot be audited; the message is the one-line reason."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        report = _audit(args)
    except BadInput as error:
        print(f"mind-the-pad: error: {error}", file=sys.stderr)
        return BAD_INPUT
    print(report)
    return OK if report.ok else FOUND


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mind-the-pad", description="Mind the Pad tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    audit = commands.add_parser(
        "audit", help="check a saved Keras model for padding leaks", description=__doc__.splitlines()[0]
    )
    audit.add_argument("model", type=Path, help="a model saved with model.save('m.keras')")
    audit.add_argument("batch", type=Path, help=NPZ_HELP)
    audit.add_argument("--lengths", help="real steps per row, comma-separated (e.g. 3,5,2)")
    audit.add_argument(
        "--padding",
        choices=("post", "pre"),
        default="post",
        help="with --lengths: real steps first (post, the default) or last (pre)",
    )
    audit.add_argument("--pad-value", type=float, help="the value in padded slots")
    audit.add_argument("--reload", action="store_true", help="also save, reload and compare (slower)")
    return parser


def _audit(args):
    import numpy as np

    for path, what in ((args.model, "model"), (args.batch, "batch")):
        if not path.is_file():
            raise BadInput(f"{what} file not found: {path}")
    model = _load_model(args.model)
    try:
        arrays = dict(np.load(args.batch, allow_pickle=False))
    except (OSError, ValueError) as error:
        raise BadInput(f"cannot read {args.batch} as .npz: {error}") from error
    input_names = [getattr(t, "name", "").split(":")[0] for t in getattr(model, "inputs", None) or []]
    keywords = {
        key: arrays.pop(key)
        for key in ("mask", "lengths", "targets", "sample_weight")
        if key in arrays and key not in input_names
    }
    if args.lengths is not None:
        keywords["lengths"] = _lengths(args.lengths)
    if args.pad_value is not None:
        keywords["pad_value"] = args.pad_value
    batch = _batch(model, input_names, arrays)
    from helpers.audit import audit

    try:
        return audit(model, batch, padding=args.padding, reload=args.reload, **keywords)
    except (ValueError, TypeError) as error:
        raise BadInput(str(error).splitlines()[0]) from error


def _load_model(path: Path):
    from helpers.environment import quiet_tensorflow_logs

    quiet_tensorflow_logs()
    import keras

    import helpers.layers  # noqa: F401  (registers the series' custom layers for loading)
    import helpers.tagging  # noqa: F401

    try:
        return keras.saving.load_model(path)
    except Exception as error:  # Keras raises many types for a file it cannot load
        raise BadInput(
            f"cannot load {path} as a Keras model: {str(error).strip().splitlines()[0]}"
        ) from error


def _lengths(text: str):
    import numpy as np

    try:
        return np.array([int(part) for part in text.split(",")])
    except ValueError as error:
        raise BadInput(f"--lengths: expected comma-separated integers, got {text!r}") from error


def _batch(model, names: list[str], arrays: dict):
    if not arrays:
        raise BadInput("the .npz file holds no batch array")
    if len(arrays) == 1:
        return next(iter(arrays.values()))
    missing = [n for n in names if n not in arrays]
    if not names or missing:
        raise BadInput(
            f"the .npz file holds {sorted(arrays)}; expected one array, or arrays named like the "
            f"model's inputs {names}"
        )
    return (
        {name: arrays[name] for name in names}
        if isinstance(model.input, dict)
        else [arrays[name] for name in names]
    )


if __name__ == "__main__":
    sys.exit(main())
