"""``audit(model, batch)``: where does padding leak into a Keras model, and how to fix it."""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path

import numpy as np

from helpers.audit.batch import (
    MASK,
    SEQUENCE,
    ModelInputs,
    alone,
    assign_roles,
    is_right_padded,
    layouts,
    mask_from_lengths,
    model_inputs,
    pad_fills,
    real_parts,
    relayout,
    values_mask,
)
from helpers.audit.recording import LayerCall, Recording, record_run
from helpers.audit.report import LEAK, Finding, LayerRow, Report
from helpers.audit.training import loss_findings
from helpers.backends import op_by_op
from helpers.propagation import mask_verdict

# Largest change, relative to max(1, largest |value|), that counts as rounding: batch shapes alone
# move float32 results by about 1e-7; padding that leaks moves them by 1e-3 and more.
TOLERANCE = 1e-5
JUNK = "junk in padded slots"
LEAK_KINDS = (
    "padding changes outputs",
    "Masking fed 2-D input",
    "mask differs from yours",
    "mask destroyed",
    "mask dropped",
    "mask dropped at run time",
    "no mask at the output",
    "mask dropped by an op",
    "loss counts padded steps",
    "gradients read padded steps",
)


def audit(
    model,
    batch,
    mask=None,
    lengths=None,
    pad_value=None,
    *,
    padding: str = "post",
    targets=None,
    sample_weight=None,
    reload: bool = False,
    seed: int = 0,
) -> Report:
    """Check a built Keras model for padding leaks on one padded ``batch`` and say how to fix them.

    batch: what ``model`` takes: one array (batch, time[, features]), or a list or dict of arrays
        for a model with several inputs (a (batch, time) bool array is taken as a mask input).
    Where the padding sits: ``mask`` (batch, time) bool, True at real steps; or ``lengths`` (batch,)
    with ``padding`` "post" (real steps first) or "pre"; or ``pad_value``, when given; else the mask
    the model computes at its input (``Embedding(mask_zero=True)``, ``Masking``) or receives as a
    mask input; else ``pad_value`` 0 for integer ids.
    targets, sample_weight: used for the training checks of a compiled model (made up from the
    model's own predictions if not given). reload: also save, reload and compare (slower).
    The audit runs the model on the batch as given, on the same real steps padded other ways
    (more padding, the other side, a gap in the middle, junk in padded slots when the mask is an
    input) and on each sequence alone without padding, and compares every layer's outputs at the
    real steps. On JAX it runs op by op (``helpers.backends.op_by_op``): many eager calls, each
    of which would otherwise compile the RNN's loop anew.
    """
    with op_by_op():
        return _audit(model, batch, mask, lengths, pad_value, padding, targets, sample_weight, reload, seed)


def _audit(model, batch, mask, lengths, pad_value, padding, targets, sample_weight, reload, seed) -> Report:
    _check_model(model)
    inputs = model_inputs(batch)
    given = _run(model, inputs, "the batch as given")
    padding_mask, source, model_mask = _find_padding(model, inputs, given, mask, lengths, padding, pad_value)
    inputs = assign_roles(inputs, padding_mask.shape[1])
    findings = _trap_findings(model, inputs, given, padding_mask, model_mask, source)
    runs, reference, fixed_note = _padding_runs(model, inputs, given, padding_mask, pad_value, seed)
    if fixed_note:
        findings.append(fixed_note)
    changes = _changes(runs, reference)
    findings += _behaviour_findings(given, changes, runs)
    findings += _mask_findings(given, padding_mask, changes)
    output_layer = _output_layer(given)
    findings += loss_findings(model, inputs, given, padding_mask, output_layer, targets, sample_weight, seed)
    if reload:
        findings += _reload_findings(model, inputs, given)
    return Report(
        findings=findings,
        first_leak=_first_leak(findings, given),
        layers=_layer_rows(given, padding_mask, changes),
        mask_source=source,
        differences=_output_differences(runs, reference),
    )


def _check_model(model) -> None:
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a built keras.Model, got {type(model).__name__}")
    if not model.built:
        raise ValueError("model: expected a built model; call it once on a batch (or build it) first")


def _run(model, inputs: ModelInputs, what: str) -> Recording:
    try:
        return record_run(model, inputs.for_model())
    except Exception as error:  # Keras raises many types; the audit reports which input it refused
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(f"batch: the model could not run on {what}: {first_line}") from error


# --- where the padding is ---------------------------------------------------------------------


def _find_padding(model, inputs: ModelInputs, given: Recording, mask, lengths, padding, pad_value):
    model_mask, model_source, maker = _model_mask(model, inputs, given)
    if mask is not None:
        found = np.asarray(mask)
        if found.ndim != 2 or len(found) != inputs.batch_size or found.dtype.kind not in "biu":
            raise ValueError(
                f"mask: expected a (batch, time) bool array with batch={inputs.batch_size}, "
                f"got {found.dtype} {found.shape}"
            )
        return found.astype(bool), "mask= (given)", (model_mask, maker)
    if lengths is not None:
        time = _first_sequence(inputs).shape[1]
        lengths = np.asarray(lengths)
        if lengths.shape != (inputs.batch_size,):
            raise ValueError(f"lengths: expected shape ({inputs.batch_size},), got {lengths.shape}")
        return (
            mask_from_lengths(lengths, time, padding),
            f"lengths= (given, padding={padding!r})",
            (model_mask, maker),
        )
    if pad_value is not None:
        return (
            values_mask(_first_sequence(inputs), pad_value),
            f"pad_value={pad_value!r} (given)",
            (model_mask, maker),
        )
    if model_mask is not None:
        return model_mask, model_source, (model_mask, maker)
    ids = [a for a in inputs.arrays if a.ndim == 2 and np.issubdtype(a.dtype, np.integer)]
    if ids:
        return ids[0] != 0, "pad_value=0 (integer ids; no mask at the model's input)", (None, "")
    shapes = [f"{a.dtype} {a.shape}" for a in inputs.arrays]
    raise ValueError(
        "batch: cannot tell where the padding is (the model makes no mask at its input and "
        f"no input holds integer ids: {shapes}); pass mask=, lengths= or pad_value="
    )


def _model_mask(model, inputs: ModelInputs, given: Recording):
    """The mask the model takes as an input or makes itself: (mask, where from, layer name)."""
    for key, array in zip(inputs.keys, inputs.arrays, strict=True):
        if array.dtype == bool and array.ndim == 2:
            return array, f"the model's mask input {_input_label(model, key)!r}", ""
    for call in given.calls:
        out = call.mask_out
        if out is not None and out.ndim == 2 and len(out) == inputs.batch_size and call.mask_in is None:
            return out, f"the mask the model makes ('{call.name}')", call.name
    return None, "", ""


def _input_label(model, key):
    """An input's name where the model has named inputs (a list's position otherwise)."""
    names = [getattr(t, "name", None) for t in getattr(model, "inputs", None) or []]
    return names[key] if isinstance(key, int) and key < len(names) and names[key] else key


def _first_sequence(inputs: ModelInputs) -> np.ndarray:
    for array in inputs.arrays:
        if array.ndim >= 2 and array.dtype != bool:
            return array
    raise ValueError(
        f"batch: expected an input with a time axis (batch, time, ...), got "
        f"{[a.shape for a in inputs.arrays]}"
    )


# --- traps readable from the model and the batch --------------------------------------------


def _trap_findings(model, inputs, given, padding_mask, model_mask, source) -> list[Finding]:
    import keras

    model_mask, maker = model_mask
    findings = []
    for key, role, array in zip(inputs.keys, inputs.roles, inputs.arrays, strict=True):
        if role == SEQUENCE and array.dtype.kind == "f" and not np.isfinite(array[~padding_mask]).all():
            findings.append(
                Finding.of(
                    "non-finite values in padded slots", "", f"input {key!r} holds NaN or inf in padded slots"
                )
            )
    for call in given.calls:
        if isinstance(call.layer, keras.layers.Masking) and call.inputs and len(call.inputs[0].shape) == 2:
            findings.append(
                Finding.of(
                    "Masking fed 2-D input",
                    call.name,
                    f"Masking got shape {tuple(call.inputs[0].shape)}: it masks whole "
                    "rows (a (batch,) mask), not steps",
                )
            )
        if _would_use_cudnn(call.layer) and call.mask_in is not None and call.mask_in.ndim == 2:
            empty = int((~call.mask_in.any(axis=1)).sum())
            if empty or not is_right_padded(call.mask_in):
                why = f"{empty} row(s) without a real step" if empty else "it is not right-padded"
                findings.append(
                    Finding.of(
                        "cuDNN would refuse the mask",
                        call.name,
                        f"on a GPU, TensorFlow's cuDNN LSTM/GRU accepts only right-padded "
                        f"masks without empty rows; this one fails because {why}",
                    )
                )
    if (
        model_mask is not None
        and "given" in source
        and model_mask.shape == padding_mask.shape
        and not np.array_equal(model_mask, padding_mask)
    ):
        real_masked = int((padding_mask & ~model_mask).sum())
        pads_real = int((~padding_mask & model_mask).sum())
        findings.append(
            Finding.of(
                "mask differs from yours",
                maker,
                f"the model's own mask hides {real_masked} real step(s) and keeps "
                f"{pads_real} padded step(s) that {source} marks",
            )
        )
    empty_rows = np.flatnonzero(~padding_mask.any(axis=1))
    if len(empty_rows):
        findings.append(
            Finding.of(
                "all-padded rows",
                "",
                f"rows {empty_rows.tolist()} have no real step; they are left out of the comparisons",
            )
        )
    return findings


def _would_use_cudnn(layer) -> bool:
    import keras

    if isinstance(layer, keras.layers.Bidirectional):
        return _would_use_cudnn(layer.forward_layer) or _would_use_cudnn(layer.backward_layer)
    if keras.backend.backend() != "tensorflow" or not isinstance(layer, keras.layers.LSTM | keras.layers.GRU):
        return False
    rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")  # TensorFlow's rule on a GPU

    cell = layer.cell
    if layer.use_cudnn not in ("auto", True) or cell.recurrent_dropout:
        return False
    if isinstance(layer, keras.layers.LSTM):
        return rnn._do_lstm_arguments_support_cudnn(
            cell.activation, cell.recurrent_activation, layer.unroll, cell.use_bias
        )
    return rnn._do_gru_arguments_support_cudnn(
        cell.activation, cell.recurrent_activation, layer.unroll, cell.use_bias, cell.reset_after
    )


# --- behaviour: the same real steps, padded other ways ------------------------------------------


def _padding_runs(model, inputs, given, padding_mask, pad_value, seed):
    """{name: (recording, mask)} for each padding tried, and the reference {call key: per-row parts}."""
    fills = pad_fills(inputs, padding_mask, pad_value)
    runs = {"as given": (given, padding_mask)}
    reference, why_fixed = _alone_reference(model, inputs, padding_mask)
    for name, new_mask in layouts(padding_mask, fixed_length=why_fixed is not None).items():
        runs[name] = (_run(model, relayout(inputs, padding_mask, new_mask, fills), name), new_mask)
    if MASK in inputs.roles:
        junk = relayout(inputs, padding_mask, padding_mask, fills, junk_seed=seed)
        runs[JUNK] = (_run(model, junk, JUNK), padding_mask)
    if why_fixed is None:
        return runs, reference, None
    note = Finding.of(
        "fixed length",
        "",
        f"the model runs only on {padding_mask.shape[1]} steps "
        f"({why_fixed}); paddings were compared with the batch as given, not with each "
        "sequence alone",
    )
    return runs, _parts(given, padding_mask), note


def _alone_reference(model, inputs, padding_mask):
    reference: dict[tuple, list] = {}
    for rows, group, group_mask in alone(inputs, padding_mask):
        try:
            recording = record_run(model, group.for_model())
        except Exception as error:  # a fixed-length model refuses other lengths
            return {}, str(error).strip().splitlines()[0][:120]
        for key, parts in _parts(recording, group_mask).items():
            slots = reference.setdefault(key, [None] * len(padding_mask))
            for row, part in zip(rows, parts, strict=True):
                slots[row] = part
    return reference, None


def _parts(recording: Recording, mask: np.ndarray) -> dict[tuple, list]:
    """Per layer call key (and ("output", i) for the model's outputs): per row, a list with the
    real-step part of each output."""
    import keras

    found = {}
    for call in recording.calls:
        outputs = [keras.ops.convert_to_numpy(t) for t in call.outputs]
        found[call.key] = _per_row([real_parts(np.asarray(o), mask) for o in outputs])
    for i, t in enumerate(recording.outputs):
        found[("output", i)] = _per_row([real_parts(np.asarray(keras.ops.convert_to_numpy(t)), mask)])
    return found


def _per_row(per_output: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
    return [list(row) for row in zip(*per_output, strict=True)] if per_output else []


def _changes(runs, reference) -> dict[tuple, dict[str, float | None]]:
    """Per call key, per padding tried: the largest relative change at real steps (None when the
    shapes cannot be compared)."""
    changes: dict[tuple, dict[str, float | None]] = {}
    for name, (recording, mask) in runs.items():
        for key, rows in _parts(recording, mask).items():
            if key not in reference:
                continue
            changes.setdefault(key, {})[name] = _difference(rows, reference[key])
    return changes


def _difference(rows, reference_rows) -> float | None:
    largest = 0.0
    for row, ref_row in zip(rows, reference_rows, strict=True):
        if ref_row is None:
            continue
        for part, ref in zip(row, ref_row, strict=True):
            if part.shape != ref.shape:
                return None
            if part.size:
                scale = max(1.0, float(np.abs(ref).max()))
                largest = max(largest, float(np.abs(part.astype("float64") - ref).max()) / scale)
    return largest


def _behaviour_findings(given: Recording, changes, runs) -> list[Finding]:
    for call in given.calls:
        moved = {name: d for name, d in changes.get(call.key, {}).items() if d is not None and d > TOLERANCE}
        if moved:
            worst = max(moved, key=moved.get)
            tried = ", ".join(f"{name} ({d:.1e})" for name, d in moved.items())
            return [
                Finding.of(
                    "padding changes outputs",
                    call.name,
                    f"its outputs at real steps differ from each sequence alone: {tried}; "
                    f"largest with {worst}" + _mask_hint(call),
                )
            ]
    return []


def _mask_hint(call: LayerCall) -> str:
    return "; it got no mask" if call.mask_in is None else "; it got a mask but still reads the padding"


def _output_differences(runs, reference) -> dict[str, float]:
    out = {}
    for name, (recording, mask) in runs.items():
        diffs = [
            _difference(rows, reference[key])
            for key, rows in _parts(recording, mask).items()
            if key[0] == "output" and key in reference
        ]
        known = [d for d in diffs if d is not None]
        if known:
            out[name] = max(known)
    return out


# --- what happened to the mask --------------------------------------------------------------


def _verdict(call: LayerCall, time: int, warned: bool) -> str:
    """What the layer did with the mask, in the words of ``helpers.propagation.VERDICTS``."""
    if call.mask_in is None:
        return "no mask" if call.mask_out is None else "makes a mask"
    return mask_verdict(call.mask_in, call.mask_out, _has_time_axis(call.outputs, time), warned)


def _has_time_axis(outputs, time: int) -> bool:
    return bool(outputs) and len(outputs[0].shape) >= 2 and outputs[0].shape[1] == time


def _mask_findings(given: Recording, padding_mask, changes) -> list[Finding]:
    time = padding_mask.shape[1]
    if padding_mask.all():
        return []
    findings = []
    output_has_mask = all(m is not None for m in given.output_masks)
    output_timed = _has_time_axis(given.outputs, time)
    leaks_later = {
        call.key
        for call in given.calls
        if any(d is not None and d > TOLERANCE for d in changes.get(call.key, {}).values())
    }
    for position, call in enumerate(given.calls):
        verdict = _verdict(call, time, call.layer.name in given.warnings)
        if verdict == "destroys":
            findings.append(Finding.of("mask destroyed", call.name, given.warnings[call.layer.name]))
        elif call.mask_in is None and _made_by_an_op(call, given.calls[:position], time):
            if {c.key for c in given.calls[position:]} & leaks_later or (
                output_timed and not output_has_mask
            ):
                findings.append(
                    Finding.of(
                        "mask dropped by an op",
                        call.name,
                        "a mask existed upstream, but this layer's input was made by a "
                        "plain operation (not a layer), which returns a tensor without it",
                    )
                )
        elif verdict == "drops silently" or (
            call.mask_in is None and _removed_earlier(call, given.calls[:position])
        ):
            downstream = {c.key for c in given.calls[position + 1 :]}
            if downstream & leaks_later:
                findings.append(_dropped(call, given.calls[:position], "later layers read the padding"))
            elif output_timed and not output_has_mask:
                findings.append(
                    _dropped(
                        call,
                        given.calls[:position],
                        "the output carries no mask, so a loss counts padded steps",
                    )
                )
    if output_timed and not output_has_mask and not any(f.kind.startswith("mask dropped") for f in findings):
        findings.append(
            Finding.of(
                "no mask at the output",
                _output_layer(given),
                "the model's output has a time axis but no mask: a loss in compile/fit "
                "counts the padded steps",
            )
        )
    return findings


def _made_by_an_op(call: LayerCall, earlier: list[LayerCall], time: int) -> bool:
    """The layer got, without a mask, a tensor no watched layer returned but shaped like an earlier
    layer's output that carried a (batch, time) mask: most likely that output, changed by an op."""
    masked_shapes = {
        tuple(out.shape)
        for c in earlier
        for out, m in zip(c.outputs, c.output_masks, strict=False)
        if m is not None and m.shape[1:] == (time,)
    }
    made_by_layers = [out for c in earlier for out in c.outputs]
    return any(
        tuple(t.shape) in masked_shapes and not any(t is out for out in made_by_layers) for t in call.inputs
    )


def _removed_earlier(call: LayerCall, earlier: list[LayerCall]) -> bool:
    return any(_producer_mask(t, earlier) is not None for t in call.inputs)


def _producer_mask(tensor, earlier: list[LayerCall]):
    for producer in earlier:
        for out, mask in zip(producer.outputs, producer.output_masks, strict=False):
            if out is tensor:
                return mask
    return None


def _dropped(call: LayerCall, earlier: list[LayerCall], consequence: str) -> Finding:
    removed = [
        t
        for t, m in zip(call.inputs, call.input_masks, strict=True)
        if m is None and _producer_mask(t, earlier) is not None
    ]
    if removed:
        return Finding.of(
            "mask dropped at run time",
            call.name,
            "an input had a mask when it was made, but it was gone when this layer ran "
            "(MultiHeadAttention removes the masks of the tensors it is given); " + consequence,
        )
    unmasked = sum(m is None for m in call.input_masks)
    return Finding.of(
        "mask dropped",
        call.name,
        f"it got a mask but returned none ({unmasked} of its {len(call.input_masks)} inputs "
        f"had no mask); {consequence}",
    )


def _output_layer(given: Recording) -> str:
    for call in reversed(given.calls):
        if any(out is model_out for out in call.outputs for model_out in given.outputs):
            return call.name
    return given.calls[-1].name if given.calls else ""


def _layer_rows(given: Recording, padding_mask, changes) -> list[LayerRow]:
    time = padding_mask.shape[1]
    rows = []
    for call in given.calls:
        known = [d for d in changes.get(call.key, {}).values() if d is not None]
        rows.append(
            LayerRow(
                call.name,
                type(call.layer).__name__,
                _mask_text(call.mask_in),
                _mask_text(call.mask_out),
                _verdict(call, time, call.layer.name in given.warnings),
                max(known) if known else None,
            )
        )
    return rows


def _mask_text(mask) -> str:
    if mask is None:
        return "–"
    return f"{tuple(mask.shape)}, {int(mask.sum())} real"


def _first_leak(findings: list[Finding], given: Recording) -> str | None:
    order = {call.name: i for i, call in reversed(list(enumerate(given.calls)))}
    leaks = [f for f in findings if f.kind in LEAK_KINDS and f.layer]
    if not leaks:
        return None
    return min(leaks, key=lambda f: (order.get(f.layer, len(order)), f.severity != LEAK)).layer


# --- save and reload --------------------------------------------------------------------------


def _reload_findings(model, inputs: ModelInputs, given: Recording) -> list[Finding]:
    import keras

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "audited.keras"
        try:
            model.save(path)
            reloaded = keras.saving.load_model(path)
            again = record_run(reloaded, inputs.for_model())
        except Exception as error:  # saving or loading can fail in many ways; report the first line
            return [
                Finding.of(
                    "reload changes outputs",
                    "",
                    f"save and reload failed: {str(error).strip().splitlines()[0][:200]}",
                )
            ]
    problems = []
    for i, (before, after) in enumerate(zip(given.outputs, again.outputs, strict=True)):
        a, b = keras.ops.convert_to_numpy(before), keras.ops.convert_to_numpy(after)
        if a.shape != b.shape or np.abs(a - b).max() > TOLERANCE * max(1.0, float(np.abs(a).max())):
            problems.append(f"output {i} changed")
        if (given.output_masks[i] is None) != (again.output_masks[i] is None):
            problems.append(
                f"output {i}'s mask {'vanished' if again.output_masks[i] is None else 'appeared'}"
            )
    return [Finding.of("reload changes outputs", "", "; ".join(problems))] if problems else []


__all__ = ["LEAK", "TOLERANCE", "audit"]
