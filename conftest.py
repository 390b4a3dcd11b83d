"""Project-wide pytest configuration: how nbval treats the notebooks."""

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Never compare stderr: TensorFlow and Keras write warnings there that vary by machine."""
    for item in items:
        notebook = item.parent
        if hasattr(notebook, "skip_compare") and "stderr" not in notebook.skip_compare:
            notebook.skip_compare = (*notebook.skip_compare, "stderr")
