"""What the Chinese UI says, checked without a browser or a stack: the refusal referral's 指定单位 are chosen
from the directory by name (no JSON field), every refusal the UI can show has words in both languages, and
every decision says what it does before the judge takes it."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from domain.refusal_granules import DEFAULT_CATALOGUE, catalogue
from web.services.directory import Directory, directory
from web.ui.forms import FormBuilder, flatten, parse
from web.ui.i18n import Translator
from workflows.registry import SCENARIOS


def sandbox_directory(tmp_path: Path) -> Directory:
    return Directory(directory(Settings(var_dir=tmp_path)))


def test_the_referrals_designated_units_are_chosen_by_name(tmp_path: Path) -> None:
    t = Translator("zh")
    scenario = SCENARIOS["refusal-referral"]
    builder = FormBuilder(scenario.input_schema(), t, scenario.name, sandbox_directory(tmp_path))
    fields = {f.name: f for f in flatten(builder.fields())}
    assert fields["f.agencies"].kind == "object"  # not a JSON text box
    assert not [f.name for f in fields.values() if f.kind == "json"]
    departments = catalogue(DEFAULT_CATALOGUE).departments
    police = fields["f.agencies.police"]
    assert police.kind == "enum" and police.label == departments["police"].name
    value, shown = police.options[0]
    assert value == "" and "湖州" in shown  # empty keeps the catalogue's default, said by its name
    assert all(name and not name.isascii() for _, name in police.options)
    # Only what the judge changed is sent: the rest stays with the catalogue.
    form = {"f.agencies.police": police.options[1][0], "f.agencies.bank": ""}
    parsed = parse([fields["f.agencies"]], form, t)
    assert parsed.data == {"agencies": {"police": police.options[1][0]}}, parsed
