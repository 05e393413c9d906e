"""Operator commands (运维命令) for the web's accounts, mainly for the production profile, which seeds none:

    python -m web.admin create-user --username zhang.fg --role judge --court 杭州市上城区人民法院 \
        [--display-name 张法官]
    python -m web.admin create-user --username zhk --role supervisor \
        --court 杭州市上城区人民法院 --court 杭州市拱墅区人民法院
    python -m web.admin create-user --username icbc-sys --role agency --agency bank-icbc
    python -m web.admin create-token --username icbc-sys [--label "ICBC gateway"] [--ttl-hours 720]
    python -m web.admin attach-cases [--dry-run] [--clerk clerk] [--application applications.json]
    python -m web.admin register-existing [--before 2026-12-06T18:00:00+00:00] [--dry-run]
    python -m web.admin create-agency --id police-ningbo --name 宁波市公安局交通警察支队 --kind police
    python -m web.admin create-user --username nb-police --role agency --agency police-ningbo

``attach-cases`` attaches the matters started before cases existed to the case of their 案号
(web/services/attach_cases.py); it may be run any number of times. With ``--clerk`` (a filing clerk; one per
court), a 案号 without a case is filed from its matters, keeping its number, completed by ``--application``
(JSON: 案号 → the fields of ``POST /api/cases`` the matters do not say); what is still missing is printed.
``register-existing`` records, once at the upgrade that brings the register of started workflows, the
workflows started before it (their search attributes believed as they stand; web/services/register.py
``backfill``): lists show only what the register holds.
An agency that only completes agency tasks (another court, the police, a car station, a tax bureau) is
created before its users; partners with a system of their own come from ``OM_PARTNERS_FILE``.

The password is prompted for, or read from stdin with ``--password-stdin`` (never a command-line
argument: other users of the machine could read it from the process list). Migrations run first.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError

from config.settings import Settings, get_settings, read_agencies
from domain.actors import Role
from domain.errors import Conflict, OneMatterError, ValidationFailed
from domain.partners import Agency
from runtime.temporal import connect
from web.accounts import API, USER_ROLES, actor_of, create_user, get_user, issue_token
from web.db import Database
from web.services.attach_cases import AttachReport, Filing, attach_cases
from web.services.directory import directory
from web.services.register import backfill


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("the passwords differ")
    return first


def create_agency(settings: Settings, agency_id: str, name: str, kind: str) -> Agency:
    """Adds an agency to the deployment's agencies (the file ``Settings.agencies()`` reads); an id already
    known — a partner's, a created agency's, a sandbox one's — is refused, nothing half-written."""
    try:
        agency = Agency(id=agency_id, name=name.strip(), kind=kind.strip())
    except ValidationError:
        raise ValidationFailed(
            "INVALID_AGENCY_ID",
            "id: lower-case letters, digits and hyphens, 2 to 63 / 机构代码只能由小写字母、数字和连字符组成",
            "id",
        ) from None
    if not agency.name:
        raise ValidationFailed("NAME_REQUIRED", "name: the agency's name is required / 请填写机构名称", "name")
    if not re.fullmatch(r"[a-z][a-z-]{1,40}", agency.kind):
        raise ValidationFailed(
            "INVALID_AGENCY_KIND",
            "kind: what the agency is, e.g. court, police, procuratorate, tax / 机构类别, 如 court、police",
            "kind",
        )
    if agency.id in {a.id for a in settings.agencies()}:
        raise Conflict("AGENCY_EXISTS", f"id: agency {agency.id!r} already exists / 该机构已存在", "id")
    path = settings.agencies_path()
    created = [*read_agencies(path), agency]
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_suffix(".tmp")
    staged.write_text(
        json.dumps([a.model_dump(include={"id", "name", "kind"}) for a in created], ensure_ascii=False, indent=2)
        + "\n",
        encoding="utf-8",
    )
    staged.replace(path)  # whole or not at all
    return agency


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m web.admin", description="One-Matter web account administration")
    sub = p.add_subparsers(dest="command", required=True)
    cu = sub.add_parser("create-user", help="create a user")
    cu.add_argument("--username", required=True)
    cu.add_argument("--role", required=True, choices=[r.value for r in USER_ROLES])
    cu.add_argument("--agency", help="partner id; required for agency users")
    cu.add_argument(
        "--court",
        action="append",
        default=[],
        help="the user's court as cases name it: once for judges and approvers, once or more for "
        "supervisors and auditors",
    )
    cu.add_argument("--display-name", default="")
    cu.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    ca = sub.add_parser("create-agency", help="create an agency that completes agency tasks (协助执行单位)")
    ca.add_argument("--id", required=True, help="lower-case letters, digits and hyphens, e.g. police-ningbo")
    ca.add_argument("--name", required=True, help="its name as judges choose it, e.g. 宁波市公安局交通警察支队")
    ca.add_argument(
        "--kind", required=True, help="what it is (a task goes only to the kind its step needs): court, police …"
    )
    ct = sub.add_parser("create-token", help="issue an API token for a user (printed once)")
    ct.add_argument("--username", required=True)
    ct.add_argument("--label")
    ct.add_argument("--ttl-hours", type=int, help="default: valid until revoked")
    ac = sub.add_parser("attach-cases", help="attach existing matters to the case of their 案号 (idempotent)")
    ac.add_argument("--dry-run", action="store_true", help="say what would be attached, attach nothing")
    ac.add_argument(
        "--clerk", action="append", default=[], help="file unfiled 案号 from their matters as this filing clerk"
    )
    ac.add_argument("--application", help="JSON file: 案号 → application fields the matters do not say")
    rx = sub.add_parser("register-existing", help="record the workflows started before the register (once)")
    rx.add_argument("--before", type=datetime.fromisoformat, help="started before this time (default: now)")
    rx.add_argument("--dry-run", action="store_true", help="say what would be recorded, record nothing")
    return p


def _register_existing(settings: Settings, db: Database, before: datetime | None, dry_run: bool) -> int:
    async def run() -> list[str]:
        return await backfill(await connect(settings), db, before or datetime.now(UTC), dry_run)

    recorded = asyncio.run(run())
    print(f"{'would record' if dry_run else 'recorded'} {len(recorded)} workflows started before the register")
    return 0


def _filing(settings: Settings, db: Database, clerks: Sequence[str], application: str | None) -> Filing | None:
    """Who files the unfiled cases (each clerk for their court) and the admin's supplements; refused with
    the reason if a name is not an active filing clerk or the file is not a JSON object of objects."""
    if not clerks:
        return None
    actors = {}
    with db.session() as s:
        for name in clerks:
            user = get_user(s, name)
            if user is None or not user.active or user.role != Role.FILING_CLERK.value:
                raise ValidationFailed("NOT_A_CLERK", f"clerk: {name} 不是在职的立案人员 / not a filing clerk", "clerk")
            actor = actor_of(user)
            actors.update(dict.fromkeys(actor.courts, actor))
    supplements: dict[str, dict[str, object]] = {}
    if application:
        with open(application, encoding="utf-8") as f:
            loaded = json.load(f)
        if not isinstance(loaded, dict) or not all(isinstance(v, dict) for v in loaded.values()):
            raise ValidationFailed(
                "INVALID_APPLICATION", "application: 应为 {案号: {字段: 值}} / 案号 → fields", "application"
            )
        supplements = loaded
    return Filing(settings=settings, clerks=actors, supplements=supplements)


def _attach_cases(
    settings: Settings, db: Database, dry_run: bool, clerks: Sequence[str] = (), application: str | None = None
) -> int:
    try:
        filing = _filing(settings, db, clerks, application)
    except (OneMatterError, OSError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    names = {e.id: e.name for e in directory(settings)}

    async def run() -> AttachReport:
        return await attach_cases(await connect(settings), db, dry_run, filing=filing, partner_names=names)

    report = asyncio.run(run())
    verb = "would attach" if dry_run else "attached"
    print(f"{verb} {len(report.attached)} matters ({report.effects} effects); {len(report.already)} already on a case")
    for number, case_id in sorted(report.filed.items()):
        print(f"filed {number} from its matters: case {case_id}")
    for number, matters in sorted(report.unfiled.items()):
        print(f"no case filed for {number}: {len(matters)} matters wait for its filing", file=sys.stderr)
        for need in report.needs.get(number, []):
            print(f"  needs {need}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = get_settings()
    if args.command == "create-agency":
        try:
            agency = create_agency(settings, args.id, args.name, args.kind)
        except OneMatterError as exc:
            print(f"{exc.code}: {exc.message}", file=sys.stderr)
            return 2
        print(f"created agency {agency.id} ({agency.name}) in {settings.agencies_path()}")
        return 0
    db = Database(settings.web_database_url)
    try:
        db.upgrade()
        if args.command == "attach-cases":
            return _attach_cases(settings, db, args.dry_run, args.clerk, args.application)
        if args.command == "register-existing":
            return _register_existing(settings, db, args.before, args.dry_run)
        with db.session() as s:
            if args.command == "create-user":
                user = create_user(
                    s,
                    args.username,
                    _password(args.password_stdin),
                    Role(args.role),
                    args.agency,
                    args.display_name,
                    known_agencies={a.id for a in settings.agencies()},
                    courts=args.court,
                )
                courts = f" of {', '.join(user.courts)}" if user.courts else ""
                print(f"created {user.username} ({user.role}{'@' + user.agency if user.agency else ''}){courts}")
            else:
                holder = get_user(s, args.username)
                if holder is None:
                    print(f"no user {args.username!r}", file=sys.stderr)
                    return 1
                ttl = timedelta(hours=args.ttl_hours) if args.ttl_hours else None
                token, expires = issue_token(s, holder, API, ttl, args.label)
                print(token)
                print(f"expires: {expires.isoformat() if expires else 'never (revoke to end it)'}", file=sys.stderr)
    except OneMatterError as exc:
        print(f"{exc.code}: {exc.message}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
