"""Operator commands (运维命令) for the web's accounts, mainly for the production profile, which seeds none:

    python -m web.admin create-user --username zhang.fg --role judge --court 杭州市上城区人民法院 \
        [--display-name 张法官]
    python -m web.admin create-user --username zhk --role supervisor \
        --court 杭州市上城区人民法院 --court 杭州市拱墅区人民法院
    python -m web.admin create-user --username icbc-sys --role agency --agency bank-icbc
    python -m web.admin create-token --username icbc-sys [--label "ICBC gateway"] [--ttl-hours 720]
    python -m web.admin attach-cases [--dry-run]

``attach-cases`` attaches the matters started before cases existed to the case of their 案号
(web/services/attach_cases.py); it may be run any number of times.

The password is prompted for, or read from stdin with ``--password-stdin`` (never a command-line
argument: other users of the machine could read it from the process list). Migrations run first.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Sequence
from datetime import timedelta

from core.settings import Settings, get_settings
from core.temporal import connect
from domain.actors import Role
from domain.errors import OneMatterError
from web.accounts import API, USER_ROLES, create_user, get_user, issue_token
from web.db import Database
from web.services.attach_cases import AttachReport, attach_cases


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("the passwords differ")
    return first


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
    ct = sub.add_parser("create-token", help="issue an API token for a user (printed once)")
    ct.add_argument("--username", required=True)
    ct.add_argument("--label")
    ct.add_argument("--ttl-hours", type=int, help="default: valid until revoked")
    ac = sub.add_parser("attach-cases", help="attach existing matters to the case of their 案号 (idempotent)")
    ac.add_argument("--dry-run", action="store_true", help="say what would be attached, attach nothing")
    return p


def _attach_cases(settings: Settings, db: Database, dry_run: bool) -> int:
    async def run() -> AttachReport:
        return await attach_cases(await connect(settings), db, dry_run)

    report = asyncio.run(run())
    verb = "would attach" if dry_run else "attached"
    print(f"{verb} {len(report.attached)} matters ({report.effects} effects); {len(report.already)} already on a case")
    for number, matters in sorted(report.unfiled.items()):
        print(f"no case filed for {number}: {len(matters)} matters wait for its filing", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = get_settings()
    db = Database(settings.web_database_url)
    try:
        db.upgrade()
        if args.command == "attach-cases":
            return _attach_cases(settings, db, args.dry_run)
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
