"""Scenarios in the bank: checking a trainer's content through its kind, saving it, its life cycle, and
loading the stock scenarios shipped in ``practical/content/``.

Every way in (the authoring form, the stock files) goes through ``check``, so a scenario that reaches a
paper always passed its kind's ``validate_spec``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from exam import standard
from exam.audit.service import record
from exam.timeutil import utcnow
from practical.kinds import KIND_CODES, kind, manual_share
from practical.models import APPROVED, DRAFT, RETIRED, Scenario

CONTENT_DIR = Path(__file__).resolve().parent / "content"
#: Every content hash each stock ref was ever shipped with (``scripts/stock_scenario_hashes.py``).
SHIPPED_HASHES = CONTENT_DIR / "shipped_hashes.json"
MAX_MINUTES = 120


class ScenarioError(ValueError):
    """Everything wrong with a scenario, one problem per line, in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ScenarioData:
    kind: str
    level: str
    title: str
    minutes: int
    spec: dict
    rubric: list
    ref: str | None = None


def check(raw: dict, where: str = "") -> ScenarioData:
    """The scenario ``raw`` describes, or ScenarioError listing every problem (prefixed by ``where``)."""
    problems: list[str] = []
    code = raw.get("kind")
    if code not in KIND_CODES:
        problems.append(f"题型：应为 {'、'.join(KIND_CODES)} 之一")
    level = standard.level_code(str(raw.get("level") or ""))
    if level is None:
        problems.append(f"等级：应为 {'、'.join(standard.LEVELS)} 之一")
    elif code in KIND_CODES and level not in kind(code).LEVELS:
        names = "、".join(standard.LEVELS[c].name for c in kind(code).LEVELS)
        problems.append(f"等级：{kind(code).NAME}只用于{names}")
    title = str(raw.get("title") or "").strip()
    if not title or len(title) > 200:
        problems.append("标题：不能为空，且不超过 200 字")
    minutes = raw.get("minutes", 15)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        problems.append(f"建议用时：应为 1 至 {MAX_MINUTES} 分钟的整数")
    spec, rubric = raw.get("spec"), raw.get("rubric")
    if not isinstance(spec, dict):
        problems.append("内容（spec）：应为 JSON 对象")
    elif code in KIND_CODES:
        problems += [f"内容：{p}" for p in kind(code).validate_spec(spec)]
    if code in KIND_CODES and isinstance(spec, dict) and not problems:
        if getattr(kind(code), "RUBRIC_FROM_SPEC", False):  # derived from the content, never typed
            rubric = kind(code).default_rubric(spec)
        rubric = rubric if rubric else kind(code).default_rubric(spec)
        problems += _rubric_problems(code, rubric, spec)
    if problems:
        raise ScenarioError([f"{where}{p}" for p in problems])
    return ScenarioData(kind=code, level=level, title=title, minutes=minutes, spec=spec, rubric=rubric or [],
                        ref=raw.get("ref"))


def _rubric_problems(code: str, rubric: object, spec: dict) -> list[str]:
    from fractions import Fraction
    share = manual_share(code, spec)
    if not share:
        return [] if not rubric else ["评分细则：该题型由机器评分，不应有评分细则"]
    if not isinstance(rubric, list) or not rubric:
        return ["评分细则：该题型需要考评员评分细则"]
    problems, total, keys = [], Fraction(0), set()
    for n, item in enumerate(rubric, 1):
        try:
            points = Fraction(str(item["points"]))
            if points <= 0:
                raise ValueError
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            problems.append(f"评分细则第 {n} 项：分值应为正数（占本题分值的比例，如 1/10）")
            continue
        if not item.get("key") or not item.get("name") or item["key"] in keys:
            problems.append(f"评分细则第 {n} 项：需要唯一的 key 和名称")
        keys.add(item.get("key"))
        total += points
    if not problems and total != share:
        problems.append(f"评分细则：各项合计 {total}，应为 {share}")
    return problems


def create(db: Session, data: ScenarioData, author_id: int | None, status: str = DRAFT) -> Scenario:
    scenario = Scenario(ref=data.ref, kind=data.kind, level=data.level, title=data.title, minutes=data.minutes,
                        spec=data.spec, rubric=data.rubric, status=status, created_by=author_id)
    db.add(scenario)
    db.flush()
    record(db.connection(), "practical.scenario_create", "practical_scenario", scenario.id, actor_id=author_id,
           ref=scenario.ref, version=scenario.version, status=status, hash=content_hash(scenario))
    return scenario


def content_hash(item: Scenario | ScenarioData) -> str:
    """SHA-256 of what a scenario says (kind, level, title, minutes, spec, and the rubric where a trainer
    types it): equal for a stock entry and the row loaded from it until someone edits the row."""
    content = {"kind": item.kind, "level": item.level, "title": item.title, "minutes": item.minutes,
               "spec": item.spec}
    if not getattr(kind(item.kind), "RUBRIC_FROM_SPEC", False):  # a derived rubric follows the code
        content["rubric"] = item.rubric or []
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def raw_content_hash(raw: dict) -> str:
    """The ``content_hash`` of the row ``check`` makes of a stock entry (level as its code, title
    stripped, the default rubric where the entry has none), without validating it: an old release's
    entry may not pass today's checks but was loaded as it was."""
    code = raw["kind"]
    rubric = raw.get("rubric") or ([] if getattr(kind(code), "RUBRIC_FROM_SPEC", False)
                                   else kind(code).default_rubric(raw["spec"]))
    return content_hash(ScenarioData(kind=code, level=standard.level_code(str(raw["level"])) or raw["level"],
                                     title=str(raw.get("title") or "").strip(), minutes=raw.get("minutes", 15),
                                     spec=raw["spec"], rubric=rubric))


def shipped_hashes() -> dict[str, set[str]]:
    """For each stock ref, the hashes of every version a release shipped."""
    if not SHIPPED_HASHES.exists():
        return {}
    return {ref: set(hashes) for ref, hashes in json.loads(SHIPPED_HASHES.read_text(encoding="utf-8")).items()}


def update(db: Session, scenario: Scenario, data: ScenarioData, actor_id: int | None = None,
           action: str = "practical.scenario_edit", keep_status: bool = False) -> Scenario:
    """Papers already drawn keep their frozen copy; a change makes the next version, sends an approved
    scenario back to draft (unless ``keep_status``: the stock refresh's reviewed content) and is
    audited with the content hashes before and after — how the stock refresh tells a trainer's edit
    from a shipped version."""
    before = content_hash(scenario)
    if before == content_hash(data):
        return scenario
    old_version = scenario.version or 1
    scenario.kind, scenario.level, scenario.title = data.kind, data.level, data.title
    scenario.minutes, scenario.spec, scenario.rubric = data.minutes, data.spec, data.rubric
    scenario.version = old_version + 1
    if not keep_status:
        scenario.status = DRAFT if scenario.status == APPROVED else scenario.status
    scenario.updated_at = utcnow()
    db.add(scenario)
    db.flush()
    record(db.connection(), action, "practical_scenario", scenario.id, actor_id=actor_id, ref=scenario.ref,
           version_before=old_version, version=scenario.version, hash_before=before, hash=content_hash(scenario),
           status=scenario.status)
    return scenario


def set_status(db: Session, scenario: Scenario, status: str, actor_id: int | None = None) -> Scenario:
    if status not in (DRAFT, APPROVED, RETIRED):
        raise ScenarioError(["状态无效"])
    before = scenario.status
    scenario.status, scenario.updated_at = status, utcnow()
    db.add(scenario)
    db.flush()
    record(db.connection(), "practical.scenario_status", "practical_scenario", scenario.id, actor_id=actor_id,
           ref=scenario.ref, version=scenario.version, status_before=before, status=status)
    return scenario


def list_scenarios(db: Session, level: str | None = None, kind_code: str | None = None,
                   status: str | None = None) -> list[Scenario]:
    query = select(Scenario)
    if level:
        query = query.where(Scenario.level == level)
    if kind_code:
        query = query.where(Scenario.kind == kind_code)
    if status:
        query = query.where(Scenario.status == status)
    return list(db.exec(query.order_by(Scenario.level, Scenario.kind, Scenario.ref, Scenario.id)))


def approved_pool(db: Session, level: str, kind_code: str) -> list[Scenario]:
    return list_scenarios(db, level, kind_code, APPROVED)


def stock_entries() -> list[tuple[str, dict]]:
    """(file:entry label, raw entry) for every stock scenario file that exists."""
    out = []
    for code in KIND_CODES:
        path = CONTENT_DIR / f"{code}.json"
        if path.exists():
            for n, raw in enumerate(json.loads(path.read_text(encoding="utf-8")), 1):
                out.append((f"{path.name} 第 {n} 项（{raw.get('ref', '无编号')}）：", raw))
    return out


def load_stock(db: Session, author_id: int | None = None) -> int:
    """Adds the stock scenarios not yet in the bank, approved; checks them all before writing any. Where
    an earlier stock is installed, carries it forward too (new versions of the shipped content, a
    trainer's edits skipped: ``stock_sync``), as the demo bank's load does."""
    checked, problems = [], []
    for where, raw in stock_entries():
        try:
            checked.append(check(raw, where))
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    known = set(db.exec(select(Scenario.ref).where(Scenario.ref.is_not(None))))
    fresh = [data for data in checked if data.ref not in known]
    for data in fresh:
        create(db, data, author_id, status=APPROVED)
    if len(fresh) < len(checked):
        from practical import stock_sync
        stock_sync.refresh(db, author_id)
    return len(fresh)
