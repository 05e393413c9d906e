"""Issue 11, item 8, without the stack: the inbox's sealed column, rows written before sealing, and the
files the database lives in."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.calendar import Deadline
from domain.tasks import SlaMark, TaskState, TaskView
from store.db import Database, upgrade_to_head
from store.sealing import Sealer, SealError
from store.tasks import InboxTask, SqlTaskStore
from tests.scenarios.agency_task.test_agency_tasks import spec

SECRETS = ("钱某某", "浙A12345", "LSVAU2180N2123456")


def sealer(kid: str = "k1") -> Sealer:
    return Sealer({kid: os.urandom(32), "old": os.urandom(32)}, kid)


def view(task_id: str) -> TaskView:
    now = datetime.now(UTC)
    task = spec().model_copy(
        update={
            "court": "杭州市上城区人民法院",
            "context": {"owner": SECRETS[0], "plate": SECRETS[1], "vin": SECRETS[2]},
        }
    )
    return TaskView(
        task_id=task_id,
        workflow_id=f"wf-{task_id}",
        version=1,
        spec=task,
        state=TaskState.OPEN,
        mark=SlaMark.GREEN,
        escalated=False,
        assigned_at=now,
        deadline=Deadline(due_at=now + timedelta(days=5), provisional=False),
    )


@pytest.fixture
def db(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'var' / 'web.db'}"
    upgrade_to_head(url)
    return Database(url, sealer())


def test_the_inbox_view_is_sealed_and_opens_only_in_its_row(db: Database) -> None:
    store = SqlTaskStore(db)
    store.upsert_task(view("t-1"))
    store.upsert_task(view("t-2"))
    one, two = store.get("t-1"), store.get("t-2")
    assert one is not None and two is not None
    assert one.view_json.startswith("om1:k1:") and not any(s in one.view_json for s in SECRETS)
    assert one.court == "杭州市上城区人民法院"  # the column scoping filters on stays plain
    assert store.view(one).spec.context["plate"] == SECRETS[1]  # the agency still gets what it needs
    assert db.sealer is not None
    with pytest.raises(SealError):
        db.sealer.open(one.view_json, "t-2")  # another row's value does not open there
    with pytest.raises(SealError):
        sealer().open(one.view_json, "t-1")  # nor under other keys
    with pytest.raises(RuntimeError):
        SqlTaskStore(Database(db.url)).upsert_task(view("t-3"))  # no keys, no write


def test_rows_written_before_sealing_are_sealed_on_start(db: Database) -> None:
    plain = view("t-old")
    with db.session() as s:
        s.add(
            InboxTask(
                task_id=plain.task_id,
                workflow_id=plain.workflow_id,
                agency=plain.spec.agency,
                case_number=plain.spec.case_number,
                court=plain.spec.court,
                task_type=plain.spec.task_type,
                result_type=plain.spec.result_type,
                title=plain.spec.title,
                state=plain.state.value,
                mark=plain.mark.value,
                due_at=plain.deadline.due_at,
                assigned_at=plain.assigned_at,
                version=1,
                view_json=plain.model_dump_json(),
            )
        )
    store = SqlTaskStore(db)
    row = store.get("t-old")
    assert row is not None and SECRETS[1] in row.view_json and store.view(row) == plain  # still readable
    assert store.seal_plaintext() == 1 and store.seal_plaintext() == 0
    row = store.get("t-old")
    assert row is not None and not any(s in row.view_json for s in SECRETS) and store.view(row) == plain


def test_the_database_file_is_for_its_owner_only(db: Database) -> None:
    SqlTaskStore(db).upsert_task(view("t-1"))
    path = Path(db.url.removeprefix("sqlite:///"))
    for p in (path, path.with_name(path.name + "-wal")):
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    os.chmod(path, 0o644)  # a file made before this rule …
    Database(db.url, sealer()).ping()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # … is closed on the next start
