"""The sandbox's directory is data the sandbox loads (config/sandbox_directory.json); production knows only
its partners file and the agencies its admin creates (python -m web.admin create-agency), whose users the
admin can then create."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from config.sandbox_directory import sandbox_partners, sandbox_task_agencies
from config.settings import Settings
from domain.errors import Conflict, ValidationFailed
from web import admin


def production(tmp_path: Path) -> Settings:
    partners = tmp_path / "partners.json"
    partners.write_text(json.dumps([p.model_dump(mode="json") for p in sandbox_partners("http://bank")[:1]]))
    return Settings(profile="production", var_dir=tmp_path, partners_file=partners, _env_file=None)


def test_the_sandbox_loads_its_directory_and_production_none_of_it(tmp_path: Path) -> None:
    sandbox = {a.id for a in Settings(profile="sandbox", var_dir=tmp_path, _env_file=None).agencies()}
    assert {"bank-icbc", "dishonest-list", "court-gongshu", "police-hangzhou"} <= sandbox
    assert {a.id for a in sandbox_task_agencies()} <= sandbox
    assert [a.id for a in production(tmp_path).agencies()] == ["bank-icbc"]
    assert len(sandbox_partners("http://sim", bank_count=7)) == len(sandbox_partners("http://sim")) + 2


def test_the_admin_creates_an_agency_once_and_refuses_a_bad_one(tmp_path: Path) -> None:
    settings = production(tmp_path)
    created = admin.create_agency(settings, "police-ningbo", " 宁波市公安局交通警察支队 ", "police")
    assert created.name == "宁波市公安局交通警察支队"
    assert [(a.id, a.kind) for a in settings.agencies()] == [("bank-icbc", "bank"), ("police-ningbo", "police")]
    before = settings.agencies_path().read_text()
    with pytest.raises(Conflict) as exists:
        admin.create_agency(settings, "police-ningbo", "again", "police")
    with pytest.raises(Conflict):
        admin.create_agency(settings, "bank-icbc", "a partner's id", "bank")
    with pytest.raises(ValidationFailed) as bad:
        admin.create_agency(settings, "Police Ningbo!", "宁波", "police")
    with pytest.raises(ValidationFailed):
        admin.create_agency(settings, "police-wenzhou", "  ", "police")
    with pytest.raises(ValidationFailed):
        admin.create_agency(settings, "police-wenzhou", "温州", "")
    assert (exists.value.code, bad.value.code, bad.value.field) == ("AGENCY_EXISTS", "INVALID_AGENCY_ID", "id")
    assert settings.agencies_path().read_text() == before, "a refusal writes nothing"


def test_production_creates_users_of_an_agency_the_admin_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = production(tmp_path)
    monkeypatch.setenv("OM_PROFILE", "production")
    monkeypatch.setenv("OM_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("OM_PARTNERS_FILE", str(settings.partners_file))
    user = ["create-user", "--username", "nb-police", "--role", "agency", "--agency", "police-ningbo"]
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery staple\n"))
    assert admin.main([*user, "--password-stdin"]) == 2, "an agency nobody created has no users"
    assert (
        admin.main(["create-agency", "--id", "police-ningbo", "--name", "宁波市公安局交通警察支队", "--kind", "police"])
        == 0
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery staple\n"))
    assert admin.main([*user, "--password-stdin"]) == 0
    assert "created nb-police (agency@police-ningbo)" in capsys.readouterr().out
