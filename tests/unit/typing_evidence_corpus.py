"""A corpus of typing sessions with known truth, for the server's hold-for-review checks
(``typing_test.evidence``): honest candidates of every kind we could think of, and cheats.

Each session is the sequence of saves the server would store (server seconds since the start, the
stored text's length, the page's counter totals after it) and, where a station ran, its key total.
``verdict`` runs exactly the checks ``typing_test.service`` runs (``evidence.save_flags`` at every
save, ``evidence.station_flag`` at submission). ``python -m tests.unit.typing_evidence_corpus``
prints the confusion matrix the README quotes.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from typing_test import evidence

T0 = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.timezone.utc)
LIMIT = 600.0


@dataclass
class Session:
    name: str
    genuine: bool
    saves: list[tuple[float, int, dict]] = field(default_factory=list)
    station_keys: int | None = None  # None: no station ran
    station_windows: int = 0


def totals(committed: int, keys: int, compositions: int | None = None, composed: int | None = None) -> dict:
    composed = committed if composed is None else composed
    return {"committed_chars": committed, "keydowns": keys, "composed_chars": composed,
            "compositions": committed // 2 if compositions is None else compositions}


def steady(name: str, cpm: float, keys_per_char: float, every: float = 2.0, seconds: float = LIMIT,
           rng: random.Random | None = None, station: float | None = None) -> Session:
    """Typing at ``cpm`` characters a minute with jitter (±30 % per interval), saving every ``every`` s."""
    rng = rng or random.Random(name)
    s, chars, keys, t = Session(name, True), 0, 0, 0.0
    while t + every <= seconds:
        t += every
        add = max(0, round(cpm / 60 * every * rng.uniform(0.7, 1.3)))
        chars += add
        keys += round(add * keys_per_char * rng.uniform(0.85, 1.15))
        s.saves.append((t + rng.uniform(0, 0.4), chars, totals(chars, keys)))  # network delay
    if station is not None:
        s.station_keys, s.station_windows = round(keys * station), int(seconds // 15)
    return s


def corpus() -> list[Session]:
    out: list[Session] = []
    rng = random.Random(15)
    # ---- honest
    for cpm in (20, 40, 50, 60, 80, 120):
        out.append(steady(f"拼音 {cpm} 字/分", cpm, rng.uniform(2.5, 4.0)))
    for cpm in (150, 200):
        out.append(steady(f"五笔词组 {cpm} 字/分", cpm, rng.uniform(0.9, 1.6)))  # phrase codes: few keys a character
    sentence = Session("整句输入（每 8–20 字上屏一次）", True)
    chars = keys = 0
    t = 0.0
    while t < LIMIT - 15:
        n = rng.randint(8, 20)
        t += n / 70 * 60  # 70 字/分, the whole sentence composed first, then committed and saved at once
        chars, keys = chars + n, keys + 3 * n
        sentence.saves.append((t, chars, totals(chars, keys, compositions=chars // 12)))
    out.append(sentence)
    outage = steady("断网 60 秒后补传", 80, 3.0, seconds=200)
    last_t, last_chars, _ = outage.saves[-1]
    chars = last_chars + 80  # a minute typed offline, arriving in one save
    outage.saves.append((last_t + 60, chars, totals(chars, 3 * chars)))
    out.append(outage)
    edits = steady("反复删改（上屏多于留下的字）", 60, 3.0)
    edits.saves = [(t, round(c * 0.85), {**tot, "committed_chars": c}) for t, c, tot in edits.saves]
    out.append(edits)
    slow = steady("很慢、长时间停顿", 12, 3.0, every=5.0)
    slow.saves = slow.saves[::3]
    out.append(slow)
    out.append(steady("考试机在线、按键正常", 70, 3.0, station=0.95))
    out.append(steady("考试机在线、最后一个窗口未上报", 70, 3.0, station=0.9))
    out.append(steady("每 5 秒保存一次的旧页面", 90, 3.0, every=5.0))
    # ---- cheats
    n = 1300
    out.append(Session("开始 1 秒一次提交全文（伪造计数）", False, [(1.0, n, totals(n, 3 * n))]))
    out.append(Session("开始 1 秒一次提交全文（无计数）", False, [(1.0, n, totals(0, 0))]))
    chunks = Session("每 30 秒粘贴 200 字（伪造计数）", False)
    for k in range(1, 7):
        chunks.saves.append((30.0 * k, 200 * k, totals(200 * k, 600 * k)))
    out.append(chunks)
    scripted = steady("脚本按人速提交、不带计数", 60, 3.0)
    scripted.genuine = False
    scripted.saves = [(t, c, totals(0, 0)) for t, c, _ in scripted.saves]
    out.append(scripted)
    keyless = steady("伪造上屏数、没有按键", 60, 3.0)
    keyless.genuine = False
    keyless.saves = [(t, c, totals(c, 0)) for t, c, _ in keyless.saves]
    out.append(keyless)
    no_ime = steady("伪造输入法上屏、没有组字", 60, 3.0)
    no_ime.genuine = False
    no_ime.saves = [(t, c, totals(c, 3 * c, compositions=0)) for t, c, _ in no_ime.saves]
    out.append(no_ime)
    half = steady("前 5 分钟正常，随后一次粘贴 500 字", 60, 3.0, seconds=300)
    half.genuine = False
    t, c, tot = half.saves[-1]
    half.saves.append((t + 2, c + 500, totals(c + 500, tot["keydowns"] + 1500)))
    out.append(half)
    other_pc = steady("另一台设备代打（考试机按键很少）", 70, 3.0, station=0.05)
    other_pc.genuine = False
    out.append(other_pc)
    trickle = Session("每 0.1 秒提交 30 字（每次都在单次限额内）", False)
    for k in range(1, 21):
        trickle.saves.append((5 + 0.1 * k, 30 * k, totals(30 * k, 90 * k)))
    out.append(trickle)
    bot = steady("按 240 字/分匀速注入、计数一致、无考试机", 240, 3.0)
    bot.genuine = False  # beyond what the server can see alone: the exam station is what catches it
    out.append(bot)
    return out


def verdict(session: Session) -> list[str]:
    """The kinds of flag the server would hold this session for (empty: scored normally)."""
    held: dict = {}
    points: list[evidence.Point] = [(0, T0)]  # the start
    prev_at = T0
    for seconds, chars, tot in session.saves:
        at = T0 + dt.timedelta(seconds=seconds)
        held = evidence.merge(held, evidence.save_flags(evidence.history_for(points, at), chars, at, tot), at)
        points.append((chars, at))
        prev_at = at
    if session.station_keys is not None and session.saves:
        flag = evidence.station_flag(session.saves[-1][1], "A01", session.station_windows, session.station_keys)
        if flag:
            held = evidence.merge(held, [flag], prev_at)
    return sorted(held)


def matrix() -> dict[tuple[bool, bool], list[str]]:
    """(genuine, held) → session names."""
    out: dict[tuple[bool, bool], list[str]] = {(g, h): [] for g in (True, False) for h in (True, False)}
    for s in corpus():
        out[(s.genuine, bool(verdict(s)))].append(s.name)
    return out


if __name__ == "__main__":
    m = matrix()
    print("| 真实情况 \\ 服务器判断 | 待核查 | 正常计分 |")
    print("|---|---|---|")
    print(f"| 本人键入（{len(m[True, True]) + len(m[True, False])}） | {len(m[True, True])} | {len(m[True, False])} |")
    print(f"| 作弊（{len(m[False, True]) + len(m[False, False])}） | {len(m[False, True])} | {len(m[False, False])} |")
    for s in corpus():
        print(f"- {'本人' if s.genuine else '作弊'} · {s.name}: {', '.join(verdict(s)) or '正常计分'}")
