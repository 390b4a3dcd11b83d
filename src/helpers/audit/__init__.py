"""Audit a Keras model for padding leaks: ``audit(model, batch)`` or ``mind-the-pad audit``.

``from helpers import audit`` gives this package, which is also the function:
``report = audit(model, batch)``; ``report.ok``, ``report.first_leak``, ``report.findings``.
"""

import sys
import types

from helpers.audit.core import TOLERANCE, audit
from helpers.audit.report import FIXES, Finding, LayerRow, Report

__all__ = ["FIXES", "TOLERANCE", "Finding", "LayerRow", "Report", "audit"]


class _CallableModule(types.ModuleType):
    """Lets ``from helpers import audit; audit(model, batch)`` call ``helpers.audit.audit``."""

    def __call__(self, *args, **kwargs) -> Report:
        return audit(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
