"""The browser's integrity counters and events: checked on the way in, merged, read as flags.

A page counts from zero each time it loads, so counters are kept per page load (``instance``) and
merged by maximum: a re-sent or reordered save cannot count twice, and a reload adds a new
instance instead of resetting the evidence. None of this enters the score; it informs the examiner.
"""

from __future__ import annotations

import re

from exam.delivery.answers import MAX_SEQ  # event ids, like save sequence numbers, come from the page's clock

COUNTERS = {
    "keydowns": "按键次数",
    "composed_chars": "经输入法上屏的字数",
    "plain_chars": "直接键入的字数",
    "compositions": "输入法上屏次数",
    "deleted": "删除操作次数",
    "restored_chars": "撤销/重做恢复的字数",
    "bursts": "无按键的多字插入",
    "pastes": "被阻止的粘贴",
    "drops": "被阻止的拖放",
    "focus_losses": "离开测试页面",
}

EVENT_KINDS = {
    "paste": "粘贴（已阻止）",
    "drop": "拖放（已阻止）",
    "burst": "无按键、无输入法组字的多字插入",
    "focus_loss": "离开测试页面",
    "focus_back": "回到测试页面",
    "undo": "撤销/重做恢复了文字",
    "deadline_discard": "到时丢弃未上屏的拼音",
}

MAX_COUNTER = 10_000_000
MAX_EVENTS_PER_SAVE = 100
MAX_INSTANCES = 50
MAX_DETAIL_CHARS = 120
_INSTANCE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class SignalError(ValueError):
    """A malformed report from the page; the message names the field, in Chinese."""


def parse_counters(raw: object) -> dict[str, int]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SignalError("counters 应为对象")
    out = {}
    for key, value in raw.items():
        if key not in COUNTERS:
            continue  # a newer page may count more; unknown counters are ignored, not refused
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_COUNTER:
            raise SignalError(f"counters.{key} 应为 0 至 {MAX_COUNTER} 的整数")
        out[key] = value
    return out


def parse_instance(raw: object) -> str:
    if not isinstance(raw, str) or not _INSTANCE.match(raw):
        raise SignalError("instance 应为 1 至 40 位字母、数字、连字符或下划线")
    return raw


def parse_events(raw: object) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_EVENTS_PER_SAVE:
        raise SignalError(f"events 应为不超过 {MAX_EVENTS_PER_SAVE} 项的列表")
    out = []
    for n, event in enumerate(raw, 1):
        if not isinstance(event, dict):
            raise SignalError(f"events 第 {n} 项应为对象")
        eid, kind, detail = event.get("id"), event.get("kind"), event.get("detail") or {}
        if not isinstance(eid, int) or isinstance(eid, bool) or not 0 <= eid <= MAX_SEQ:
            raise SignalError(f"events 第 {n} 项：id 应为 0 至 2^53 的整数")
        if kind not in EVENT_KINDS:
            raise SignalError(f"events 第 {n} 项：未知的事件类型 {str(kind)[:20]!r}")
        if not isinstance(detail, dict) or len(detail) > 8 or not all(
                isinstance(k, str) and len(k) <= 20 and _scalar(v) for k, v in detail.items()):
            raise SignalError(f"events 第 {n} 项：detail 应为不超过 8 项的简单键值")
        out.append({"id": eid, "kind": kind, "detail": detail})
    return out


def _scalar(value: object) -> bool:
    if isinstance(value, str):
        return len(value) <= MAX_DETAIL_CHARS
    return value is None or isinstance(value, (bool, int, float))


def merge(stored: dict, instance: str, counters: dict[str, int]) -> dict:
    """``stored`` with this page load's counters raised to at least ``counters``."""
    merged = {k: dict(v) for k, v in (stored or {}).items()}
    if not counters:
        return merged
    if instance not in merged and len(merged) >= MAX_INSTANCES:
        instance = "overflow"  # a page reloaded fifty times still adds up, in one bucket
    current = merged.setdefault(instance, {})
    for key, value in counters.items():
        current[key] = max(current.get(key, 0), value)
    return merged


def totals(stored: dict) -> dict[str, int]:
    out = {key: 0 for key in COUNTERS}
    for counters in (stored or {}).values():
        for key, value in counters.items():
            if key in out:
                out[key] += value
    # text the page put back with undo/redo was committed once already; it counts as committed again,
    # so an honest candidate who undoes an accidental deletion is not "text without counters"
    out["committed_chars"] = out["composed_chars"] + out["plain_chars"] + out["restored_chars"]
    out["page_loads"] = len(stored or {})
    return out


#: Below this many committed characters ratios say nothing.
MIN_CHARS_FOR_RATIOS = 30


def keys_per_char(keys: int, chars: int) -> float | None:
    return keys / chars if chars >= MIN_CHARS_FOR_RATIOS else None


def browser_flags(t: dict[str, int]) -> list[str]:
    """What the browser saw that an examiner should look at, in Chinese; empty when nothing."""
    flags = []
    if t["pastes"]:
        flags.append(f"尝试粘贴 {t['pastes']} 次（均已阻止）")
    if t["drops"]:
        flags.append(f"尝试拖放文本 {t['drops']} 次（均已阻止）")
    if t["bursts"]:
        flags.append(f"{t['bursts']} 次无按键、无输入法组字的多字插入")
    if t["focus_losses"]:
        flags.append(f"离开测试页面 {t['focus_losses']} 次")
    ratio = keys_per_char(t["keydowns"], t["committed_chars"])
    if ratio is not None and ratio < 1:
        flags.append(f"浏览器记录每录入一字仅 {ratio:.2f} 次按键（正常应不少于 1 次）：文字可能并非键入")
    return flags
