"""The classroom: a load test that refuses what it must, and a Kubernetes config kept in step with the
one-machine JupyterHub that the load test runs for real.

The slow test runs classroom/loadtest.py with 3 students (one in headless Chromium) on a real
JupyterHub on 127.0.0.1. It runs when MTP_CLASSROOM_TEST=1 (CI and ``make classroom-test`` set it)
and needs ``make classroom-install``; otherwise it is skipped with a message saying so.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
CLASSROOM = ROOT / "classroom"
GIB = 1 << 30
# What the Zero to JupyterHub chart of classroom/values.yaml runs (its changelog for 4.4.0 and its
# images/hub/requirements.txt): JupyterHub 5.5.0, jupyterhub-idle-culler 1.4.0; proxy image 5.2.0.
CHART = {"version": "4.4.0", "jupyterhub": "5.5", "jupyterhub-idle-culler": "1.4", "proxy": "5.2.0"}


def load_loadtest():
    spec = importlib.util.spec_from_file_location("classroom_loadtest", CLASSROOM / "loadtest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


loadtest = load_loadtest()


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2"])
def test_hub_ip_accepts_loopback(address):
    assert loadtest.check_hub_ip(address) == address


@pytest.mark.parametrize("address", ["0.0.0.0", "10.0.0.1", "192.168.1.20", "172.16.0.1", "8.8.8.8",
                                     "::1", "localhost", "example.org", ""])
def test_hub_ip_refuses_anything_but_a_loopback_ipv4_address(address):
    with pytest.raises(SystemExit, match=r"--hub-ip: .*(loopback|host names)"):
        loadtest.check_hub_ip(address)


@pytest.mark.parametrize("count", [0, -1, loadtest.MAX_STUDENTS + 1, 100])
def test_students_outside_the_bound_are_refused(count):
    with pytest.raises(SystemExit, match=rf"--students: expected 1 to {loadtest.MAX_STUDENTS} students, got"):
        loadtest.check_students(count, available_bytes=1 << 40)


def test_students_are_refused_when_the_machine_lacks_the_memory():
    assert loadtest.check_students(3, available_bytes=4 * GIB) == 3
    with pytest.raises(SystemExit, match=r"10 students need about 11 GiB free, but this machine has 4.0 GiB"):
        loadtest.check_students(10, available_bytes=4 * GIB)


@pytest.mark.parametrize(("args", "message"), [
    (["--students", "17"], "--students: expected 1 to 16 students, got 17"),
    (["--hub-ip", "10.1.2.3"], "--hub-ip: 10.1.2.3 is not a loopback IPv4 address"),
])
def test_command_line_refuses_bad_input_before_starting_anything(args, message):
    done = subprocess.run([sys.executable, str(CLASSROOM / "loadtest.py"), *args], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert message in done.stderr
    assert "JupyterHub" not in done.stdout


def test_memory_settings_follow_the_rule():
    assert loadtest.memory_settings(859e6) == ("1G", "2G")  # 0.94 GB with 10 % more: 1 GiB
    assert loadtest.memory_settings(1.0e9) == ("1280M", "2560M")
    with pytest.raises(ValueError, match="peak_bytes: expected a positive peak"):
        loadtest.memory_settings(0)


# --- Kubernetes (values.yaml, Dockerfile) in step with the tested one-machine hub -----------------


def hub_config(tmp_path, monkeypatch):
    """classroom/jupyterhub_config.py as JupyterHub loads it."""
    from traitlets.config import Config

    monkeypatch.setenv("MTP_CLASS_PASSWORD", "a-test-password")
    monkeypatch.setenv("MTP_CLASSROOM_STATE", str(tmp_path))
    config = Config()
    path = CLASSROOM / "jupyterhub_config.py"
    exec(compile(path.read_text(), str(path), "exec"), {"get_config": lambda: config, "__file__": str(path)})
    return config


def values() -> dict:
    return yaml.safe_load((CLASSROOM / "values.yaml").read_text(encoding="utf-8"))


def classroom_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {}
    for text in project["optional-dependencies"]["classroom"]:
        requirement = Requirement(text)
        pins[requirement.name] = re.fullmatch(r"==(\d+\.\d+)\.\*", str(requirement.specifier)).group(1)
    return pins


def test_values_yaml_and_the_tested_config_agree(tmp_path, monkeypatch):
    config, ours = hub_config(tmp_path, monkeypatch), values()
    single = ours["singleuser"]
    assert ours["hub"]["config"]["JupyterHub"]["authenticator_class"] == config.JupyterHub.authenticator_class
    assert ours["hub"]["config"]["JupyterHub"]["shutdown_on_logout"] is config.JupyterHub.shutdown_on_logout
    assert ours["hub"]["config"]["Authenticator"]["allow_all"] is config.Authenticator.allow_all
    assert single["defaultUrl"] == config.Spawner.default_url
    assert single["cmd"] == Path(config.Spawner.cmd[0]).name
    assert (single["memory"]["guarantee"], single["memory"]["limit"]) == (config.Spawner.mem_guarantee,
                                                                          config.Spawner.mem_limit)
    culler = next(s for s in config.JupyterHub.services if s["name"] == "idle-culler")["command"]
    assert ours["cull"]["enabled"] is True
    assert f"--timeout={ours['cull']['timeout']}" in culler
    assert f"--cull-every={ours['cull']['every']}" in culler


def test_memory_guarantee_and_limit_come_from_the_measured_peak():
    bench = json.loads((CLASSROOM / "bench.json").read_text())
    assert bench["students"] >= 10 and bench["failures"] == 0, "bench.json: not a clean 10-student run"
    expected = loadtest.memory_settings(bench["student_peak_rss_bytes"])
    memory = values()["singleuser"]["memory"]
    assert (memory["guarantee"], memory["limit"]) == expected
    assert bench["memory_settings"] == dict(zip(("guarantee", "limit"), expected, strict=True))


def test_chart_runs_the_pinned_jupyterhub_and_proxy():
    pins = classroom_pins()
    assert pins["jupyterhub"] == CHART["jupyterhub"]
    assert pins["jupyterhub-idle-culler"] == CHART["jupyterhub-idle-culler"]
    assert f"--version={CHART['version']}" in (CLASSROOM / "values.yaml").read_text()
    assert f"--version={CHART['version']}" in (CLASSROOM / "README.md").read_text()
    assert values()["proxy"]["chp"]["image"]["tag"] == CHART["proxy"]
    lock = json.loads((CLASSROOM / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/configurable-http-proxy"]["version"] == CHART["proxy"]


def test_nbgitpuller_link_is_the_same_everywhere():
    link = loadtest.nbgitpuller_link("https://YOUR-HUB", loadtest.GITHUB_REPO)
    assert values()["custom"]["nbgitpullerLink"] == link
    assert link in (ROOT / "README.md").read_text()
    assert link in (CLASSROOM / "README.md").read_text()
    assert "urlpath=lab%2Ftree%2Fmind-the-pad%2Fnotebooks%2F00-start-here.ipynb" in link


def test_dockerfile_builds_the_tested_environment():
    text = (CLASSROOM / "Dockerfile").read_text()
    runtime = re.fullmatch(r"python-(\d+\.\d+)\s*", (ROOT / ".binder" / "runtime.txt").read_text()).group(1)
    assert re.search(rf"^FROM python:{re.escape(runtime)}-slim", text, re.M)
    install = r'^RUN python -m pip install --no-cache-dir "/tmp/mind-the-pad\[classroom\]"'
    assert re.search(install, text, re.M)
    assert re.search(r"apt-get install .*\bgit\b", text), "nbgitpuller needs git in the image"
    assert 'CMD ["jupyterhub-singleuser"]' in text and "USER 1000" in text
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --disable-pip-version-check '.[classroom]'" in makefile, \
        "the one-machine environment must be installed the way the image is"


# --- the slow test: 3 students on a real hub ----------------------------------------------------


def classroom_test_required() -> bool:
    return os.environ.get("MTP_CLASSROOM_TEST", "") not in ("", "0")


def test_three_students_on_a_real_hub(tmp_path):
    if not classroom_test_required():
        pytest.skip("starts a JupyterHub with 3 students (about 2 min; needs `make classroom-install` and "
                    "Chromium): set MTP_CLASSROOM_TEST=1 or run `make classroom-test` (CI does)")
    if not (loadtest.ENV_DIR / "bin" / "jupyterhub").exists() or not loadtest.PROXY.exists():
        pytest.fail("MTP_CLASSROOM_TEST is set, but the classroom environment is missing: run "
                    "`make classroom-install`", pytrace=False)
    out, run_id = tmp_path / "class.json", "ci" + os.urandom(4).hex()
    command = [sys.executable, str(CLASSROOM / "loadtest.py"), "--students", "3", "--json", str(out),
               "--run-id", run_id, "--deadline", "900"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1200)
    print(done.stdout)  # the report, in the test log
    result = json.loads(out.read_text())
    assert done.returncode == 0 and not result["failures"], ("\n".join(result["failures"])
                                                             + done.stderr[-2000:])
    assert [s["via"] for s in result["students"]] == ["Chromium", "API", "API"]
    for student in result["students"]:
        assert set(student["notebook_s"]) == set(loadtest.NOTEBOOKS), student
        assert student["login_to_first_result_s"] is not None, student
        assert student["peak_rss"] > 0.3e9, "the sampler did not see the student's kernel"
        guarantee = loadtest.gib_of(values()["singleuser"]["memory"]["guarantee"]) * GIB
        assert student["peak_rss"] <= guarantee, f"{student['name']} used more than the memory guarantee"
    assert result["left_behind"] == []
    assert not loadtest.processes_of_run(run_id, set()), "processes of the class are still running"
