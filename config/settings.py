"""All configuration in one place: environment variables (prefix ``OM_``) and an optional ``.env`` file.

Workflows never read settings; the web server and workers read them and pass what a workflow needs
into its input, so the values are recorded in history and replay stays deterministic.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import secrets
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.service import TLSConfig

from config.sandbox_directory import sandbox_partners, sandbox_task_agencies
from domain.legal_time import TimeScale
from domain.partners import Agency, PartnerCategory, PartnerEndpoint
from security.identity import ActorKeys, ActorSigner

Profile = Literal["sandbox", "production"]


class CodecKeys(BaseModel):
    """AES-256-GCM keys by key id; ``active`` encrypts, all of them decrypt (so keys can rotate)."""

    active: str
    keys: dict[str, str]  # key id -> urlsafe base64 of 32 bytes

    def key_bytes(self) -> dict[str, bytes]:
        return {kid: base64.urlsafe_b64decode(v) for kid, v in self.keys.items()}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OM_", env_file=".env", extra="ignore")

    profile: Profile = "sandbox"
    var_dir: Path = Path("var")
    log_level: str = "INFO"

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_ui_port: int = 8233
    temporal_ui_url: str = "http://127.0.0.1:8233"
    task_queue: str = "one-matter"

    web_host: str = "127.0.0.1"
    web_port: int = 8000
    web_workers: int = Field(default=2, ge=1, description="uvicorn processes serving the web")
    # The proxies whose X-Forwarded-For the web believes (uvicorn's forwarded_allow_ips, comma-separated
    # addresses or networks); empty: none, the connection's own address is the client's (web/guard.py).
    forwarded_allow_ips: str = ""
    # Worker processes `make run` starts (OM_WORKERS); each polls the same task queue.
    workers: int = Field(default=1, ge=1, le=64)
    # Temporal SDK Prometheus metrics of a worker on this port (0 = off). `make run` gives worker i
    # the port + i, from 9464 in the sandbox unless set.
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    # A worker's probes (GET /livez, /readyz; workers/health.py) on this port (0 = off): on loopback in the
    # sandbox, on every interface otherwise (an orchestrator probes the pod's address).
    worker_health_port: int = Field(default=0, ge=0, le=65535)
    # How often each web process looks for its workflows cancelled, terminated or reset outside it
    # (web/services/incidents.py); the incidents list and the dashboard look before they answer too.
    incident_sweep_seconds: float = Field(default=30.0, gt=0)
    # The webhook outbox's probes (workers/outbox.py, workers/health.py), bound like the worker's (0 = off).
    outbox_health_port: int = Field(default=0, ge=0, le=65535)
    # Where that port listens: empty means loopback in the sandbox (every sandbox process binds loopback),
    # every interface in production (Prometheus scrapes each replica over the network).
    worker_metrics_host: str = ""
    # How long a stopping worker lets running activities finish before cancelling them; the launcher
    # kills what is still alive after 4 s, so Ctrl-C stops the stack within 5 s.
    worker_shutdown_seconds: float = Field(default=2.0, ge=0)
    # The workflow sandbox's full guard: re-import the workflow code (``workflows``) for every run, so a
    # procedure that reads the clock, randomness or the environment directly fails at once — in production
    # too, where a path no test took would otherwise go unchecked. On by default: sharing the code saves ~5 ms
    # of CPU per run (about 1% of an inquiry, docs/performance.md), too little to drop the guard for.
    # OM_WORKFLOW_SANDBOX_STRICT=0 shares it (measured by `python -m bench layers`).
    workflow_sandbox_strict: bool = True
    # Bearer token Prometheus sends to the web's GET /metrics; empty = open (loopback sandbox, or a
    # network only the scraper reaches).
    metrics_token: str = ""
    # Where partners send asynchronous answers; must be reachable from the partner.
    public_base_url: str = "http://127.0.0.1:8000"
    database_url: str = ""

    simulator_host: str = "127.0.0.1"
    simulator_port: int = 8100
    # JSON file listing PartnerEndpoint objects; replaces the sandbox partners entirely.
    partners_file: Path | None = None
    # JSON list of the agencies the admin created (``python -m web.admin create-agency``); default
    # <var>/agencies.json.
    agencies_file: Path | None = None
    # The SMS gateway (短信网关) that sends parties their one-time codes and notices. Sandbox: the simulators'
    # outbox (simulators/sms.py) unless set; production: unset means parties cannot register or log in.
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""
    # The payment platform's cashier (网上缴费) a debtor pays a case's account on. Sandbox: the simulators'
    # (simulators/cashier.py) unless set; production: unset means no paying online.
    cashier_url: str = ""
    cashier_token: str = ""
    # The secret the platform signs its payment notices to the court with (security/webhook_signature.py).
    # Sandbox: the simulator's; production: unset means every notice is refused (the payer's return still
    # credits, read from the platform).
    cashier_webhook_secret: str = ""
    # Refused payment notices one address may send within the window before it is answered 429 unread (the
    # platform's own are refused only when something is wrong; a forger's every time). Counted from the refusals
    # recorded, so shared by every web process; the address is the one the web believes (OM_FORWARDED_ALLOW_IPS).
    payment_notice_refusals_allowed: int = Field(default=20, ge=1, le=100_000)
    payment_notice_refusal_window_seconds: int = Field(default=600, ge=1, le=86_400)

    # How old a case's view a party's page load may show (bounded staleness, web/services/cases.py): within this
    # many seconds of a describe that found the case current (in any web process) the page is answered without
    # asking Temporal again — the one round trip that was 99% of a party page's time. A party's own act on the
    # case is always shown at once (the view must be newer than the act); staff pages always ask. Law: the
    # disclosures a party is owed online (流程公开意见, DOMAIN.md §19) are due within days, not seconds.
    # 0: every load asks. docs/operations.md, "Party pages' freshness".
    party_view_max_age_seconds: float = Field(default=30.0, ge=0, le=300)

    # One factor compresses every legal duration (tests and demos); 1.0 is real time.
    time_acceleration: float = Field(default=1.0, gt=0)
    # Under a compressed clock (a demo), no wait for a legal moment is shorter than this many seconds: a
    # person always has a few minutes to act. Off at real time; tests set 0 to run at full speed.
    demo_min_wait_seconds: float = Field(default=180.0, ge=0)

    # JSON {"active": "k1", "keys": {"k1": "<base64>"}}. Sandbox creates var/codec-keys.json if unset.
    codec_keys_json: str = ""
    token_ttl_hours: int = 12
    # Lets Temporal's UI decrypt payloads through our /codec endpoint, for authorised users (on in the
    # sandbox; production's Temporal UI is configured in docker-compose.yml instead).
    codec_endpoint_enabled: bool = True
    # Ed25519 key signing audit exports: PEM, or urlsafe base64 of the 32-byte seed. Required in
    # production (OM_AUDIT_SIGNING_KEY); the sandbox creates var/audit-signing-key.pem if unset.
    audit_signing_key: str = ""
    # JSON {"active": "a1", "keys": {"a1": "<base64 of 32+ bytes>"}}: HMAC keys with which the web signs
    # the acting user on every Temporal call and workers verify it (security/identity.py). Web and workers
    # must share them; rotate by adding a key and making it active, never by dropping one while histories
    # signed with it live. Sandbox creates var/actor-keys.json if unset; production requires it.
    actor_keys_json: str = ""
    # JSON {"active": "p1", "keys": {"p1": "<base64 of 32+ bytes>"}}: HMAC keys of the party index (search
    # by ID number without storing it). Sandbox creates var/party-index-keys.json; production requires it.
    party_index_keys_json: str = ""
    # How long a signed actor stays valid for the call it was signed for (a start waiting for workers
    # is checked against the time Temporal recorded it, so a short life is enough).
    actor_signature_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 86400)
    # The courts' seal certificates and keys for documents (documents/pki.py): a directory with ca.pem
    # and courts/<court>/{cert,key}.pem. Required in production; the sandbox makes var/document-pki/.
    document_pki_dir: Path | None = None
    # The time-stamping authority (时间戳服务, RFC 3161) whose timestamp every seal carries (PAdES B-T,
    # documents/timestamps.py), and its certificate (or the root it chains to, PEM) that verification trusts.
    # Sandbox: the simulators' TSA; the certificate defaults to <document pki>/tsa/ca.pem (the sandbox makes its
    # TSA's root there). Production: the URL is required and the certificate must exist.
    tsa_url: str = ""
    tsa_certificate_file: Path | None = None
    tsa_timeout_seconds: float = Field(default=5.0, gt=0)
    # From when a seal must carry its timestamp (启用时间戳之日). A seal made before (its signed signing time)
    # is verified at PAdES B-B: valid without one, said to predate timestamps. The default is the moment this
    # project made B-T the rule; a deployment that sealed without a TSA for longer sets its own cut-over.
    document_timestamps_from: datetime = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    # Tests only: accept unencrypted payloads (a plain Temporal client). Refused in production.
    codec_allow_plaintext: bool = False

    # Temporal client TLS (mTLS when a client certificate and key are given). Files in PEM.
    temporal_tls: bool = False
    temporal_tls_ca_file: Path | None = None  # server CA; unset = the system's roots
    temporal_tls_cert_file: Path | None = None  # client certificate (mTLS)
    temporal_tls_key_file: Path | None = None  # client private key (mTLS)
    temporal_tls_server_name: str | None = None  # SNI / name checked on the server's certificate
    # A JWT the client sends as "authorization: Bearer" when Temporal's authorizer is on (docs/security.md,
    # "Temporal's frontend"): a service token from the identity provider whose keys Temporal reads (JWKS).
    temporal_api_key: str = ""
    # OTLP/HTTP collector (e.g. http://jaeger:4318) the processes send their traces to; empty = no tracing
    # at all (runtime/tracing.py).
    otlp_endpoint: str = ""

    # The sandbox has demo accounts whose password is their name: it serves loopback only unless told.
    allow_public_bind: bool = False

    @field_validator(
        "temporal_tls_ca_file",
        "temporal_tls_cert_file",
        "temporal_tls_key_file",
        "temporal_tls_server_name",
        "document_pki_dir",
        "tsa_certificate_file",
        mode="before",
    )
    @classmethod
    def _unset_when_empty(cls, v: object) -> object:
        # docker-compose passes an unset variable as "" (``${X:-}``); that means "not configured".
        return None if v == "" else v

    @field_validator("var_dir")
    @classmethod
    def _absolute_var_dir(cls, v: Path) -> Path:
        return v.resolve()

    @property
    def sandbox(self) -> bool:
        return self.profile == "sandbox"

    @property
    def probe_bind_host(self) -> str:
        """The address the worker's and the outbox's probes listen on: loopback in the sandbox (nothing
        beyond this machine may reach a demo), every interface in production (the kubelet probes the pod)."""
        return "127.0.0.1" if self.sandbox else "0.0.0.0"

    @property
    def metrics_bind_host(self) -> str:
        """The address the worker's metrics listen on (``worker_metrics_host``, or the probes' default)."""
        return self.worker_metrics_host or self.probe_bind_host

    @property
    def own_ports(self) -> frozenset[int]:
        """The loopback ports of the stack's own services, which no partner-given URL may reach."""
        temporal = int(self.temporal_address.rpartition(":")[2] or 7233)
        return frozenset({self.web_port, self.simulator_port, temporal, self.temporal_ui_port})

    @property
    def web_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'web.db'}"

    @property
    def simulator_base_url(self) -> str:
        return f"http://{self.simulator_host}:{self.simulator_port}"

    @cached_property
    def codec_keys(self) -> CodecKeys:
        ring = self._key_ring(self.codec_keys_json, "OM_CODEC_KEYS_JSON", "codec-keys.json")
        return CodecKeys.model_validate_json(ring)

    @cached_property
    def actor_keys(self) -> ActorKeys:
        ring = self._key_ring(self.actor_keys_json, "OM_ACTOR_KEYS_JSON", "actor-keys.json")
        return ActorKeys.model_validate_json(ring)

    @cached_property
    def party_index_keys(self) -> ActorKeys:
        """HMAC keys of the party index (当事人盲索引): the web stores keyed hashes of parties' ID numbers,
        never the numbers. Rotate by adding a key and making it active; searches try every key."""
        configured, variable = self.party_index_keys_json, "OM_PARTY_INDEX_KEYS_JSON"
        return ActorKeys.model_validate_json(self._key_ring(configured, variable, "party-index-keys.json"))

    def _key_ring(self, configured: str, variable: str, filename: str) -> str:
        """A key ring's JSON: as configured, or in the sandbox a dev key created once under var/."""
        if configured:
            return configured
        if not self.sandbox:
            raise RuntimeError(f"{variable} is required in the production profile")
        path = self.var_dir / filename
        if not path.exists():
            # Created on first use by whichever process needs it first: written whole to a private temp
            # file, then linked into place, so a racing process finds a complete file or none, and the
            # first link wins.
            self.var_dir.mkdir(parents=True, exist_ok=True)
            key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump({"active": "dev-1", "keys": {"dev-1": key}}, f)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        return path.read_text()

    @property
    def document_pki_path(self) -> Path:
        """Where the courts' seal certificates are: as configured, or the sandbox's own under var/."""
        return self.document_pki_dir or self.var_dir / "document-pki"

    @property
    def tsa_certificate_path(self) -> Path:
        """The certificate documents' timestamps must chain to (documents/timestamps.py)."""
        return self.tsa_certificate_file or self.document_pki_path / "tsa" / "ca.pem"

    def actor_signer(self) -> ActorSigner:
        return ActorSigner(self.actor_keys, timedelta(seconds=self.actor_signature_ttl_seconds))

    def temporal_tls_config(self) -> TLSConfig | bool:
        """What ``Client.connect(tls=...)`` takes: False (plain), or a TLSConfig (TLS, mTLS with a cert)."""
        if not self.temporal_tls:
            return False
        if (self.temporal_tls_cert_file is None) != (self.temporal_tls_key_file is None):
            raise RuntimeError("OM_TEMPORAL_TLS_CERT_FILE and OM_TEMPORAL_TLS_KEY_FILE go together (mTLS)")

        def read(path: Path | None) -> bytes | None:
            return path.read_bytes() if path else None

        return TLSConfig(
            server_root_ca_cert=read(self.temporal_tls_ca_file),
            client_cert=read(self.temporal_tls_cert_file),
            client_private_key=read(self.temporal_tls_key_file),
            domain=self.temporal_tls_server_name,
        )

    def startup_problems(self) -> list[str]:
        """Why this configuration must not serve, if it must not (checked by web, workers and the
        launcher before they start): production without its own keys or with sandbox leftovers, or a
        sandbox (demo accounts, password = name) listening beyond loopback."""
        problems: list[str] = []
        if self.sandbox:
            if not self.allow_public_bind:
                for what, host in (
                    ("OM_WEB_HOST", self.web_host),
                    ("OM_SIMULATOR_HOST", self.simulator_host),
                    ("OM_WORKER_METRICS_HOST", self.metrics_bind_host),
                ):
                    if not is_loopback(host):
                        problems.append(
                            f"{what}={host} is not a loopback address and the sandbox profile has demo accounts; "
                            "set OM_ALLOW_PUBLIC_BIND=true to allow it"
                        )
            return problems
        if not self.codec_keys_json:
            problems.append("OM_CODEC_KEYS_JSON is required in production")
        elif any(kid.startswith("dev-") for kid in CodecKeys.model_validate_json(self.codec_keys_json).keys):
            problems.append("OM_CODEC_KEYS_JSON holds a sandbox (dev-) key")
        if not self.actor_keys_json:
            problems.append("OM_ACTOR_KEYS_JSON is required in production")
        elif any(kid.startswith("dev-") for kid in ActorKeys.model_validate_json(self.actor_keys_json).keys):
            problems.append("OM_ACTOR_KEYS_JSON holds a sandbox (dev-) key")
        if not self.party_index_keys_json:
            problems.append("OM_PARTY_INDEX_KEYS_JSON is required in production")
        if not self.audit_signing_key:
            problems.append("OM_AUDIT_SIGNING_KEY is required in production")
        if self.document_pki_dir is None or not (self.document_pki_dir / "ca.pem").is_file():
            problems.append(
                "OM_DOCUMENT_PKI_DIR (the courts' seal certificates, with ca.pem) is required in production"
            )
        if not self.tsa_url or not self.tsa_certificate_path.is_file():
            problems.append(
                "OM_TSA_URL and the time-stamping authority's certificate (OM_TSA_CERTIFICATE_FILE, default "
                "<OM_DOCUMENT_PKI_DIR>/tsa/ca.pem) are required in production: every seal carries its timestamp"
            )
        if self.codec_allow_plaintext:
            problems.append("OM_CODEC_ALLOW_PLAINTEXT is for tests only")
        if self.temporal_api_key and not self.temporal_tls:
            problems.append("OM_TEMPORAL_API_KEY (a JWT) would cross the network in clear; set OM_TEMPORAL_TLS=true")
        if any(p.token.startswith("sandbox-") for p in self.partners()):
            problems.append("a partner token is a sandbox token (sandbox-...); set real tokens in OM_PARTNERS_FILE")
        return problems

    def check_startup(self) -> None:
        problems = self.startup_problems()
        if problems:
            raise RuntimeError(f"refusing to start ({self.profile} profile): " + "; ".join(problems))

    def time_scale(self) -> TimeScale:
        """The scale new workflows run on: the acceleration, and under it the demo's floor on every wait."""
        floor = self.demo_min_wait_seconds if self.time_acceleration > 1 else 0.0
        return TimeScale(acceleration=self.time_acceleration, min_wait_seconds=floor)

    def agencies(self) -> list[Agency]:
        """Everyone who completes agency tasks: the partners (their kind their category), the agencies the
        admin created (``python -m web.admin create-agency``, kept in :meth:`agencies_path`) and, in the
        sandbox, the directory's task-only agencies. Read afresh each time: an agency created now is known at
        once."""
        agencies = [Agency(id=p.id, name=p.name, token=p.token, kind=p.category.value) for p in self.partners()]
        agencies += read_agencies(self.agencies_path())
        if self.sandbox:
            agencies += sandbox_task_agencies()
        return agencies

    def agencies_path(self) -> Path:
        return self.agencies_file or self.var_dir / "agencies.json"

    def sms_gateway(self) -> PartnerEndpoint | None:
        """Where parties' texts go; None when production has no gateway configured."""
        url = self.sms_gateway_url or (self.simulator_base_url if self.sandbox else "")
        if not url:
            return None
        token = self.sms_gateway_token or ("sandbox-sms" if self.sandbox else "")
        return PartnerEndpoint(
            id="sms-gateway", category=PartnerCategory.SMS, name="短信网关", base_url=url, token=token
        )

    def cashier(self) -> PartnerEndpoint | None:
        """Where debtors pay online; None when production has no payment platform configured."""
        url = self.cashier_url or (self.simulator_base_url if self.sandbox else "")
        if not url:
            return None
        token = self.cashier_token or ("sandbox-cashier" if self.sandbox else "")
        return PartnerEndpoint(
            id="cashier", category=PartnerCategory.PAYMENT, name="网上缴费平台", base_url=url, token=token
        )

    def cashier_notice_secret(self) -> str:
        """The payment platform's notice secret ("" when none: no notice is taken)."""
        return self.cashier_webhook_secret or ("sandbox-cashier-webhook" if self.sandbox else "")

    def partners(self) -> list[PartnerEndpoint]:
        """The partner systems this deployment talks to, in the order measures are applied."""
        if self.partners_file:
            raw = json.loads(Path(self.partners_file).read_text())
            return [PartnerEndpoint.model_validate(p) for p in raw]
        return sandbox_partners(self.simulator_base_url)


def read_agencies(path: Path) -> list[Agency]:
    """The agencies created by the admin: a JSON list of ``{"id", "name", "kind"}``; none while the file is
    absent."""
    if not path.exists():
        return []
    return [Agency.model_validate(a) for a in json.loads(path.read_text(encoding="utf-8"))]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve anywhere


def get_settings() -> Settings:
    return Settings()
