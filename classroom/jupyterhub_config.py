"""JupyterHub for a class on one machine: `jupyterhub -f classroom/jupyterhub_config.py`.

Tested here by classroom/loadtest.py (CI: 3 students; `make classroom-bench`: 10). Run it from the
environment `make classroom-install` builds (build/classroom-venv: the runtime pins plus the
`classroom` extra of pyproject.toml, as classroom/Dockerfile builds the single-user image), with the
proxy from npm (build/classroom-node). Every student server runs from that same environment.

This is the configuration for a test and a short workshop on a machine you trust, not a hardened hub:
students share one password (SharedPasswordAuthenticator) and their servers run as the hub's user
in separate home folders (SimpleLocalProcessSpawner). For a real class, replace both (e.g. an
OAuth authenticator and SystemdSpawner or DockerSpawner) and keep the rest.

Settings come from the environment:

| variable | default | what |
| --- | --- | --- |
| MTP_CLASS_PASSWORD | (required, 8+ characters) | the students' shared password |
| MTP_HUB_IP, MTP_HUB_PORT | 127.0.0.1, 8000 | where students connect |
| MTP_HUB_API_PORT, MTP_PROXY_API_PORT | 8081, 8001 | the hub's and the proxy's own ports (always 127.0.0.1) |
| MTP_CLASSROOM_STATE | build/classroom-state | database, cookie secret, students' homes (`home/<name>`) |
| MTP_PROXY_COMMAND | build/classroom-node/node_modules/.bin/configurable-http-proxy | the proxy |
| MTP_LOADTEST_TOKEN | unset | registers the `loadtest` service (read-only API access) with this token |
| MTP_CLASSROOM_RUN | unset | a marker put into every student server's environment (for the load test) |
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - JupyterHub provides get_config() when it loads this file

ROOT = Path(__file__).resolve().parents[1]

# Kept in step with classroom/values.yaml by tests/test_classroom.py. The memory figures follow from
# the measured per-student peak (classroom/bench.json, rule in classroom/loadtest.py: memory_settings).
MEM_GUARANTEE = "1G"
MEM_LIMIT = "2G"
CULL_TIMEOUT_S = 3600  # stop a server after an hour without activity
CULL_EVERY_S = 600
AUTHENTICATOR = "shared-password"
DEFAULT_URL = "/lab"


def setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


state = Path(setting("MTP_CLASSROOM_STATE", str(ROOT / "build" / "classroom-state"))).resolve()
(state / "home").mkdir(parents=True, exist_ok=True)
password = os.environ.get("MTP_CLASS_PASSWORD", "")
if len(password) < 8:
    raise SystemExit("classroom/jupyterhub_config.py: set MTP_CLASS_PASSWORD to the students' shared "
                     "password (8 characters or more)")

c.JupyterHub.bind_url = f"http://{setting('MTP_HUB_IP', '127.0.0.1')}:{setting('MTP_HUB_PORT', '8000')}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(setting("MTP_HUB_API_PORT", "8081"))
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.shutdown_on_logout = True  # logging out stops the student's server and kernels
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every student's server

c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{setting('MTP_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
local_proxy = ROOT / "build" / "classroom-node" / "node_modules" / ".bin" / "configurable-http-proxy"
proxy = str(local_proxy) if local_proxy.exists() else "configurable-http-proxy"  # else from PATH
c.ConfigurableHTTPProxy.command = [setting("MTP_PROXY_COMMAND", proxy)]

c.JupyterHub.authenticator_class = AUTHENTICATOR
c.SharedPasswordAuthenticator.user_password = password
c.Authenticator.allow_all = True  # anyone with the password picks a user name

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(state / "home" / "{username}")
c.Spawner.cmd = [str(Path(sys.prefix) / "bin" / "jupyterhub-singleuser")]
# Jupyter Server refuses to run as root unless told; CI machines and containers run as root.
c.Spawner.args = ["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []
c.Spawner.default_url = DEFAULT_URL
c.Spawner.mem_guarantee = MEM_GUARANTEE  # shown, not enforced, by a local spawner
c.Spawner.mem_limit = MEM_LIMIT
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
if os.environ.get("MTP_CLASSROOM_RUN"):
    c.Spawner.environment = {"MTP_CLASSROOM_RUN": os.environ["MTP_CLASSROOM_RUN"]}

c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                f"--timeout={CULL_TIMEOUT_S}", f"--cull-every={CULL_EVERY_S}"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
if os.environ.get("MTP_LOADTEST_TOKEN"):
    c.JupyterHub.services.append({"name": "loadtest", "api_token": os.environ["MTP_LOADTEST_TOKEN"]})
    c.JupyterHub.load_roles.append({"name": "loadtest", "services": ["loadtest"],
                                    "scopes": ["list:users", "read:users", "read:servers", "list:services"]})
