"""helpers.lab_settings: the environment's JupyterLab asks no news question, by JupyterLab's own reader."""

import json
import sys
from pathlib import Path

from jupyterlab_server.settings_utils import _get_overrides

from helpers.lab_settings import install, overrides_path, packaged_overrides

NOTIFICATION = "@jupyterlab/apputils-extension:notification"


def _schema() -> dict:
    path = Path(sys.prefix) / "share/jupyter/lab/schemas/@jupyterlab/apputils-extension/notification.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_packaged_settings_are_valid_for_jupyterlabs_notification_schema():
    settings = json.loads(packaged_overrides())
    assert list(settings) == [NOTIFICATION]
    properties = _schema()["properties"]
    assert settings[NOTIFICATION] == {"fetchNews": "false", "checkForUpdates": False}
    assert {"const": "false", "title": "Never"} in properties["fetchNews"]["oneOf"]
    assert properties["checkForUpdates"]["type"] == "boolean"


def test_install_writes_where_jupyterlab_reads_a_packages_defaults(tmp_path):
    path = install(tmp_path)
    assert path == overrides_path(tmp_path) and path.parent.name == "overrides.d"
    install(tmp_path)  # idempotent
    overrides, error = _get_overrides(str(tmp_path / "share/jupyter/lab/settings"))
    assert not error
    assert overrides[NOTIFICATION]["fetchNews"] == "false"


def test_a_users_own_overrides_json_is_left_alone(tmp_path):
    settings = tmp_path / "share/jupyter/lab/settings"
    settings.mkdir(parents=True)
    theirs = {"@jupyterlab/apputils-extension:themes": {"theme": "x"}}
    (settings / "overrides.json").write_text(json.dumps(theirs))
    install(tmp_path)
    assert json.loads((settings / "overrides.json").read_text()) == theirs
    overrides, _ = _get_overrides(str(settings))
    assert overrides[NOTIFICATION]["fetchNews"] == "false" and set(theirs) <= set(overrides)


def test_this_environment_has_the_defaults_installed():
    """`make install` ran `python -m helpers.lab_settings`: `make lab` starts without the news prompt."""
    assert overrides_path().read_text(encoding="utf-8") == packaged_overrides()
