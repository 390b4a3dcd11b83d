"""helpers.audit: the zoo's verdicts, the interface, bad input and the command line."""

import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from helpers import audit
from helpers.audit import FIXES, Report
from helpers.audit.cli import main
from helpers.audit.report import NOTE
from helpers.audit.zoo import ZOO, token_batch
from helpers.unpadded import run_alone

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def problems(report: Report) -> set[str]:
    return {f.kind for f in report.findings if f.severity != NOTE}


@pytest.mark.parametrize("name", sorted(ZOO))
def test_every_zoo_model_gets_its_known_verdict(name):
    entry = ZOO[name]
    model, batch, keywords = entry.build(0)
    report = audit(model, batch, **keywords)
    ok, first_leak, kinds = entry.expected(keras.backend.backend())
    assert (report.ok, report.first_leak, problems(report)) == (ok, first_leak, set(kinds)), str(report)


def test_the_zoo_is_half_clean_half_broken_with_subclassed_and_multi_input_models():
    clean = [z for z in ZOO.values() if z.ok]
    broken = [z for z in ZOO.values() if not z.ok]
    assert len(ZOO) >= 12 and abs(len(clean) - len(broken)) <= 1
    assert len({frozenset(z.kinds) for z in broken}) == len(broken)  # broken in different ways
    assert all(ZOO[z.fixed_by].ok for z in broken)
    kinds = {}
    for entry in ZOO.values():
        model, batch, _ = entry.build(0)
        kinds.setdefault(entry.ok, set()).update(
            {"subclassed"} if type(model).__name__ not in ("Functional", "Sequential") else set()
        )
        kinds[entry.ok].update({"multi-input"} if isinstance(batch, list | dict) else set())
    assert {"subclassed", "multi-input"} <= kinds[True] and {"subclassed", "multi-input"} <= kinds[False]


def alone_and_padded(model, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keras itself, without the audit: each row's real ids alone (rows of one length in one call,
    ``run_alone``), and the padded batch."""
    alone = run_alone(model, [row[row != 0] for row in ids])
    return alone, keras.ops.convert_to_numpy(model(ids))


@pytest.mark.parametrize(
    "name",
    [
        "mask_zero_classifier",
        "no_mask_classifier",
        "op_scaled_subclass",
        "subclass_scaled_by_a_layer",
        "average_pooled",
    ],
)
def test_the_zoo_verdicts_on_padding_hold_in_keras_itself(name):
    model, ids, _ = ZOO[name].build(0)
    alone, padded = alone_and_padded(model, ids)
    if ZOO[name].ok:
        np.testing.assert_allclose(padded, alone, rtol=1e-5, atol=1e-6)
    else:
        assert np.abs(padded - alone).max() > 1e-3


def test_the_zoo_loss_verdicts_hold_in_keras_itself():
    for name in ["masked_tagger", "unmasked_branch_tagger"]:
        model, ids, _ = ZOO[name].build(0)
        targets = np.random.default_rng(0).integers(0, 4, ids.shape)
        junk = np.where(ids != 0, targets, (targets + 1) % 4)
        losses = [model.evaluate(ids, t, verbose=0, batch_size=len(ids)) for t in (targets, junk)]
        assert (abs(losses[0] - losses[1]) < 1e-6) == ZOO[name].ok, name


def test_audit_is_the_package_and_the_function():
    import helpers.audit as package

    assert audit is package and callable(audit) and audit.audit is package.core.audit


def test_a_report_reads_as_text_and_html_with_the_fix_and_its_notebook():
    model, batch, _ = ZOO["no_mask_classifier"].build(0)
    report = audit(model, batch)
    finding = report.findings[0]
    assert (finding.layer, finding.kind) == ("encoder", "padding changes outputs")
    assert "07-broken-recipes-fixed.ipynb" in finding.fix
    assert str(report).startswith("NOT OK") and "first leak at 'encoder'" in str(report)
    assert "encoder" in report._repr_html_() and [r.layer for r in report.layers] == [
        "embed",
        "encoder",
        "score",
    ]
    assert report.differences["padding on the other side"] > 1e-3


def test_every_fix_names_a_notebook_of_the_series():
    for severity, _fix, notebook in FIXES.values():
        assert (NOTEBOOKS / notebook).is_file(), notebook
        assert severity in ("leak", "hazard", "note")


def test_lengths_and_mask_say_where_the_padding_is():
    model, ids, _ = ZOO["mask_zero_classifier"].build(0)
    lengths = (ids != 0).sum(axis=1)
    assert audit(model, ids, lengths=lengths).ok
    assert audit(model, ids, mask=ids != 0).ok
    assert audit(model, ids, lengths=lengths).mask_source.startswith("lengths=")


def test_a_real_token_with_id_0_is_a_mask_that_differs_from_yours():
    model, ids, _ = ZOO["mask_zero_classifier"].build(0)
    mask = ids != 0
    ids = ids.copy()
    ids[0, 1] = 0  # a real token whose id is 0: mask_zero hides it
    report = audit(model, ids, mask=mask)
    assert "mask differs from yours" in problems(report) and report.first_leak == "embed"


def test_a_pre_padded_batch_passes_on_the_cpu_apart_from_the_cudnn_hazard_of_tensorflow():
    model, _, _ = ZOO["mask_zero_classifier"].build(0)
    report = audit(model, token_batch(0, padding="pre"))
    tensorflow = keras.backend.backend() == "tensorflow"
    assert problems(report) == ({"cuDNN would refuse the mask"} if tensorflow else set())
    assert report.first_leak is None
    assert audit(keras.models.clone_model(model), token_batch(0)).ok  # same layers, right-padded


def test_reload_finds_a_custom_layer_that_cannot_be_loaded():
    class Doubler(keras.layers.Layer):  # not registered: load_model cannot rebuild it
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, x):
            return 2.0 * x

    ids = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(20, 4, mask_zero=True)(ids)
    outputs = keras.layers.Bidirectional(keras.layers.LSTM(3))(Doubler()(embedded))
    model = keras.Model(ids, outputs)
    report = audit(model, token_batch(0, batch=4), reload=True)
    assert problems(report) == {"reload changes outputs"}
    clean, batch, _ = ZOO["mask_zero_classifier"].build(0)
    assert audit(clean, batch, reload=True).ok


def test_bad_input_gets_a_clear_error():
    model, ids, _ = ZOO["mask_zero_classifier"].build(0)
    with pytest.raises(TypeError, match="keras.Model"):
        audit(keras.layers.Dense(2), ids)
    with pytest.raises(ValueError, match="built"):
        audit(keras.Sequential([keras.layers.Dense(2)]), ids)
    with pytest.raises(ValueError, match=r"mask: expected a \(batch, time\) bool array"):
        audit(model, ids, mask=np.ones(3, bool))
    with pytest.raises(ValueError, match=r"lengths: expected shape \(32,\)"):
        audit(model, ids, lengths=[1, 2])
    with pytest.raises(ValueError, match="lengths: expected values from 0 to 12"):
        audit(model, ids, lengths=np.full(32, 13))
    with pytest.raises(ValueError, match="the same batch size"):
        audit(model, [ids, ids[:3]])
    with pytest.raises(ValueError, match="could not run on the batch as given"):
        audit(model, [ids, ids])


def test_float_input_without_a_mask_asks_where_the_padding_is():
    model = keras.Sequential([keras.Input((None, 3)), keras.layers.LSTM(2)])
    with pytest.raises(ValueError, match="pass mask=, lengths= or pad_value="):
        audit(model, np.zeros((2, 5, 3), "float32"))
    assert not audit(model, np.ones((2, 5, 3), "float32"), lengths=[3, 5]).ok


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("saved")
    for name in ("no_mask_classifier", "mask_zero_classifier", "explicit_mask_classifier"):
        model, batch, _ = ZOO[name].build(0)
        model.save(folder / f"{name}.keras")
        arrays = (
            dict(zip([t.name for t in model.inputs], batch, strict=True))
            if isinstance(batch, list)
            else {"ids": batch}
        )
        np.savez(folder / f"{name}.npz", **arrays)
    return folder


def test_the_command_exits_0_for_a_clean_model_and_1_for_a_broken_one(saved, capsys):
    assert (
        main(["audit", str(saved / "mask_zero_classifier.keras"), str(saved / "mask_zero_classifier.npz")])
        == 0
    )
    assert capsys.readouterr().out.startswith("OK")
    broken = ["audit", str(saved / "no_mask_classifier.keras"), str(saved / "no_mask_classifier.npz")]
    assert main(broken) == 1
    assert "first leak at 'encoder'" in capsys.readouterr().out
    named = [
        "audit",
        str(saved / "explicit_mask_classifier.keras"),
        str(saved / "explicit_mask_classifier.npz"),
    ]
    assert main(named) == 0  # an input called "mask" stays an input


def test_the_command_exits_2_with_a_one_line_reason_for_bad_input(saved, tmp_path, capsys):
    model, npz = str(saved / "mask_zero_classifier.keras"), str(saved / "mask_zero_classifier.npz")
    (tmp_path / "junk.keras").write_text("not a model")
    for argv, reason in [
        (["audit", str(tmp_path / "missing.keras"), npz], "model file not found"),
        (["audit", model, str(tmp_path / "missing.npz")], "batch file not found"),
        (["audit", str(tmp_path / "junk.keras"), npz], "cannot load"),
        (["audit", model, npz, "--lengths", "3,x"], "--lengths: expected comma-separated integers"),
        (["audit", model, npz, "--lengths", "3,4"], "lengths: expected shape (32,)"),
    ]:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert reason in err and len(err.strip().splitlines()) == 1, err


def test_the_installed_command_runs_the_audit(saved):
    command = Path(sys.executable).with_name("mind-the-pad")
    result = subprocess.run(
        [
            str(command),
            "audit",
            str(saved / "no_mask_classifier.keras"),
            str(saved / "no_mask_classifier.npz"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1 and result.stdout.startswith("NOT OK"), result.stderr[-2000:]
