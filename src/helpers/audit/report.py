"""What an audit found: findings with their fixes, and the report that shows them."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

LEAK, HAZARD, NOTE = "leak", "hazard", "note"

# kind -> (severity, the fix, the notebook that explains it)
FIXES: dict[str, tuple[str, str, str]] = {
    "padding changes outputs": (
        LEAK,
        "give this layer the mask: Embedding(mask_zero=True), a Masking layer on 3-D input, or "
        "mask= at call time",
        "07-broken-recipes-fixed.ipynb",
    ),
    "mask destroyed": (
        HAZARD,
        "use a layer that supports masking (GlobalAveragePooling1D instead of Flatten or "
        "GlobalMaxPooling1D), or give a custom layer compute_mask",
        "08-mask-propagation-and-custom-layers.ipynb",
    ),
    "mask dropped": (
        HAZARD,
        "give every branch the mask (an unmasked input makes Add drop it), or pass the mask on "
        "explicitly with mask=",
        "08-mask-propagation-and-custom-layers.ipynb",
    ),
    "mask dropped at run time": (
        HAZARD,
        "pass attention_mask= (or mask=) explicitly from a mask input on every call",
        "13-sequence-labelling-and-attention.ipynb",
    ),
    "mask dropped by an op": (
        HAZARD,
        "do the operation with a layer that keeps the mask (Rescaling, or a custom layer with "
        "supports_masking = True), or pass mask= to the next layer",
        "08-mask-propagation-and-custom-layers.ipynb",
    ),
    "no mask at the output": (
        HAZARD,
        "keep the mask up to the output (return_sequences=True layers and TimeDistributed keep "
        "it), or weight the loss with sample_weight = mask",
        "09-training-with-masks.ipynb",
    ),
    "loss counts padded steps": (
        HAZARD,
        "let the output carry the mask, or pass sample_weight = mask (and weighted_metrics)",
        "13-sequence-labelling-and-attention.ipynb",
    ),
    "gradients read padded steps": (
        HAZARD,
        "mask the loss (see above): padded targets must not reach the weights",
        "09-training-with-masks.ipynb",
    ),
    "cuDNN would refuse the mask": (
        HAZARD,
        "pad at the end (padding='post') and drop empty rows, or build the layer with use_cudnn=False",
        "10-speed-and-hardware.ipynb",
    ),
    "Masking fed 2-D input": (
        HAZARD,
        "add a feature axis (x[..., None]) before Masking, or use Embedding(mask_zero=True) for token ids",
        "07-broken-recipes-fixed.ipynb",
    ),
    "non-finite values in padded slots": (
        HAZARD,
        "fill padded slots with a finite value (0): NaN there makes the weight gradients NaN "
        "even under a mask",
        "09-training-with-masks.ipynb",
    ),
    "mask differs from yours": (
        HAZARD,
        "make the model's own mask match the padding: shift token ids so 0 is free (id 0 is "
        "the pad for mask_zero), or pass the mask explicitly",
        "02-mask-zero-embedding.ipynb",
    ),
    "reload changes outputs": (
        HAZARD,
        "register custom layers (keras.saving.register_keras_serializable) and give them get_config",
        "14-where-the-mask-survives.ipynb",
    ),
    "all-padded rows": (
        NOTE,
        "drop rows without a real step, or check what the model returns for them",
        "09-training-with-masks.ipynb",
    ),
    "fixed length": (
        NOTE,
        "build the model with a time axis of None to compare with each sequence alone",
        "07-broken-recipes-fixed.ipynb",
    ),
}


@dataclass(frozen=True)
class Finding:
    """One thing the audit found. layer: where ("" for the whole model); kind: a key of ``FIXES``;
    message: what was measured; fix: what to change, with the notebook that explains it."""

    layer: str
    kind: str
    message: str
    fix: str
    severity: str

    @classmethod
    def of(cls, kind: str, layer: str, message: str) -> Finding:
        severity, fix, notebook = FIXES[kind]
        return cls(layer, kind, message, f"{fix} (notebooks/{notebook})", severity)


@dataclass(frozen=True)
class LayerRow:
    """One layer call in the order the model made it: the mask it saw and gave, what it did with
    the mask, and the largest change of its real-step outputs when the padding changed."""

    layer: str
    type: str
    mask_in: str
    mask_out: str
    verdict: str
    difference: float | None


@dataclass
class Report:
    """The audit of one model on one batch (see ``helpers.audit.audit``).

    ok: no leak and no hazard; first_leak: the first layer where the mask is lost or padding changes
    what follows (None when there is none); findings: every ``Finding``; layers: one ``LayerRow``
    per layer call; mask_source: where the padding was read from; differences: per padding tried,
    the largest change of the model's outputs at real steps.
    """

    findings: list[Finding]
    first_leak: str | None
    layers: list[LayerRow] = field(default_factory=list)
    mask_source: str = ""
    differences: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(f.severity in (LEAK, HAZARD) for f in self.findings)

    def verdict(self) -> str:
        if self.ok:
            return "OK: no padding leak and no hazard found"
        count = sum(f.severity in (LEAK, HAZARD) for f in self.findings)
        where = f"; first leak at '{self.first_leak}'" if self.first_leak else ""
        return f"NOT OK: {count} problem{'s' * (count != 1)} found{where}"

    def __str__(self) -> str:
        lines = [self.verdict(), f"padding read from: {self.mask_source}"]
        if self.differences:
            lines.append(
                "outputs at real steps, largest change: "
                + ", ".join(f"{name} {value:.1e}" for name, value in self.differences.items())
            )
        lines += ["", "layer | type | mask in | mask out | mask | change"]
        lines += [
            f"{r.layer} | {r.type} | {r.mask_in} | {r.mask_out} | {r.verdict} | {_number(r.difference)}"
            for r in self.layers
        ]
        for f in self.findings:
            lines += [
                "",
                f"[{f.severity}] {f.kind}" + (f" at '{f.layer}'" if f.layer else ""),
                f"  {f.message}",
                f"  fix: {f.fix}",
            ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#cf222e"
        rows = "".join(
            f"<tr><td><code>{html.escape(r.layer)}</code></td><td>{html.escape(r.type)}</td>"
            f"<td>{r.mask_in}</td><td>{r.mask_out}</td><td>{html.escape(r.verdict)}</td>"
            f"<td>{_number(r.difference)}</td></tr>"
            for r in self.layers
        )
        findings = "".join(
            f"<li><b>{f.severity}: {html.escape(f.kind)}</b>"
            + (f" at <code>{html.escape(f.layer)}</code>" if f.layer else "")
            + f"<br>{html.escape(f.message)}<br><i>fix:</i> {html.escape(f.fix)}</li>"
            for f in self.findings
        )
        return (
            f"<div><p style='color:{colour}'><b>{html.escape(self.verdict())}</b></p>"
            f"<p>padding read from: {html.escape(self.mask_source)}</p>"
            "<table><tr><th>layer</th><th>type</th><th>mask in</th><th>mask out</th><th>mask</th>"
            f"<th>change</th></tr>{rows}</table><ul>{findings}</ul></div>"
        )


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.1e}"
