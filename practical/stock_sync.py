"""Carrying an installation's stock scenarios forward to the ones this release ships.

``callexam demo load`` (``scenarios.load_stock``) adds stock scenarios whose ref is new and leaves the
others alone, so an installation that loaded an earlier stock would keep its old scripts for ever —
among them call scripts whose caller's next line told the candidate which scoring words were hit.
This is the stock's share of the data step the question bank's demo bank uses
(``question_bank.demo_sync``): it runs after every ``callexam db upgrade`` (``exam.domains``'
``after_upgrade``), and on its own as ``callexam practical scenarios refresh``; both print what it did.

* a stock scenario still holding content some release shipped (its content hash is in
  ``shipped_hashes.json``, ``scenarios.raw_content_hash``) but not this release's gets this release's
  content as a **new version** (``scenarios.update``: version + 1, audited as
  ``practical.scenario_refresh``); its status stays (the shipped content was reviewed); papers that
  froze the old content keep their copy (``PracticalTask.spec``), so no drawn paper changes;
* a stock scenario whose content matches **no shipped version** was edited by a trainer (edits are
  audited, ``practical.scenario_edit``; the hash also catches edits made before that audit existed):
  it is **skipped** and reported, with the last recorded edit when there is one;
* a scenario the installation retired is left alone;
* a shipped ref not installed is **added** (approved), as ``demo load`` would.

Nothing happens in an installation that never loaded the stock (no shipped ref installed): a
production bank is never filled with stock scenarios. Idempotent; a run that changes something leaves
one audit record (``practical.stock_refresh``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from exam.audit.models import AuditEvent
from exam.audit.service import record
from exam.accounts.models import User
from practical import scenarios
from practical.models import APPROVED, RETIRED, Scenario


@dataclass
class RefreshReport:
    added: list[str] = field(default_factory=list)
    updated: list[tuple[str, int, int]] = field(default_factory=list)  # ref, version before, version now
    edited: list[tuple[str, int, str]] = field(default_factory=list)  # ref, version, who/when if recorded
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0
    installed: bool = True  # False: the installation never loaded the stock

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)

    def lines(self) -> list[str]:
        """What the run did, in Chinese, one line a scenario it touched or skipped, then the totals."""
        if not self.installed:
            return ["库存实操场景：本系统未载入库存场景，无需更新"]
        out = [f"  更新 {ref}：第 {old} 版 → 第 {new} 版（已抽取的试卷保留原内容）" for ref, old, new in self.updated]
        out += [f"  新增 {ref}（已审核）" for ref in self.added]
        out += [f"  跳过 {ref}（第 {version} 版）：培训师修改过，内容与任何发布版本都不同，保留培训师的版本{who}"
                for ref, version, who in self.edited]
        out += [f"  跳过 {ref}：本系统已停用" for ref in self.retired]
        return out + [f"库存实操场景：更新 {len(self.updated)} 个，新增 {len(self.added)} 个，"
                      f"跳过培训师修改过的 {len(self.edited)} 个，已停用 {len(self.retired)} 个，未变 {self.unchanged} 个"]


def _last_edit(session: Session, scenario_id: int) -> str:
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "practical.scenario_edit",
                                                  AuditEvent.subject_id == scenario_id)
                         .order_by(AuditEvent.id.desc())).first()
    if event is None:
        return "（修改早于审计记录）"
    who = session.get(User, event.actor_id) if event.actor_id else None
    name = (who.display_name or who.username) if who else "未知"
    return f"（最近一次修改：{name}，{event.at:%Y-%m-%d %H:%M} UTC）"


def refresh(session: Session, author_id: int | None = None, entries: list[tuple[str, dict]] | None = None,
            shipped: dict[str, set[str]] | None = None) -> RefreshReport:
    """Bring the installed stock scenarios to ``entries`` (default: the shipped files); checks every entry
    before writing anything (``ScenarioError`` lists the problems)."""
    entries = scenarios.stock_entries() if entries is None else entries
    shipped = scenarios.shipped_hashes() if shipped is None else shipped
    checked, problems = [], []
    for where, raw in entries:
        try:
            checked.append(scenarios.check(raw, where))
        except scenarios.ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise scenarios.ScenarioError(problems)
    refs = [d.ref for d in checked if d.ref]
    installed = {s.ref: s for s in session.exec(select(Scenario).where(Scenario.ref.in_(refs)))}
    report = RefreshReport()
    if not installed:
        report.installed = False
        return report
    for data in checked:
        row = installed.get(data.ref)
        if row is None:
            scenarios.create(session, data, author_id, status=APPROVED)
            report.added.append(data.ref)
        elif row.status == RETIRED:
            report.retired.append(data.ref)
        elif (held := scenarios.content_hash(row)) == scenarios.content_hash(data):
            report.unchanged += 1
        elif held in shipped.get(data.ref, ()):
            before = row.version
            scenarios.update(session, row, data, author_id, action="practical.scenario_refresh", keep_status=True)
            report.updated.append((data.ref, before, row.version))
        else:
            report.edited.append((data.ref, row.version, _last_edit(session, row.id)))
    session.flush()
    if report.changed:
        record(session.connection(), "practical.stock_refresh", "practical_scenario", 0, author_id,
               added=report.added, updated=[ref for ref, _, _ in report.updated],
               skipped_edited=[ref for ref, _, _ in report.edited])
    return report


def after_upgrade(engine) -> RefreshReport:
    """The stock's data step of ``callexam db upgrade``."""
    from exam.db import write_session
    from exam.models_registry import load_all
    load_all()
    with write_session(engine) as session:
        return refresh(session)
