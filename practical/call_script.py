"""The scripted caller shared by the simulated call (``practical.kinds.call``) and the complaint
(``practical.kinds.complaint``): checking a script, replaying a candidate's replies through it, and the
candidate's view of the conversation so far.

The stored answer is only the candidate's replies. Which caller line follows each reply is computed
again from the script on every view, save and grading, so the page, the autosave and the marking can
never disagree about the path taken. Branch conditions use the standard's default phrase lists (plus
the scenario's own entries), never a trainer's later edit of the lists: an edit must not change, after
the fact, the conversation a candidate was shown. The script schema is documented in
``practical.kinds.call``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from exam.service_phrases import PHRASE_LISTS, default_lists
from practical import matcher, phrases
from practical.kinds.base import AnswerError, text_problem

TURN_TYPES = {
    "opening": "开篇", "talk": "普通对话", "hold": "需查询等待", "upset": "情绪激动、抱怨（有诉求）",
    "silent": "来电不出声", "dialect": "方言来电", "abuse": "骚扰辱骂（无诉求）", "off_topic": "与业务无关",
}
SPECIAL_TYPES = ("silent", "dialect", "abuse", "off_topic")
DIRECTIONS = {"inbound": "呼入", "outbound": "呼出"}
CONDITION_KEYS = ("list", "any", "all", "so_far")
MAX_TURNS = 30
MAX_PATH = 12  # replies along any one path of the script
MAX_REPLY_CHARS = 500
MAX_LINE_CHARS = 500
MAX_NAME_CHARS = 20
MAX_SITUATION_CHARS = 1000
MAX_ENTRY_CHARS = 40


# ---------------------------------------------------------------- checking a script

def _words_problems(value: object, path: str) -> list[str]:
    if not isinstance(value, list) or not value:
        return [f"{path}：应为非空的词语列表"]
    out = []
    for n, word in enumerate(value):
        if not isinstance(word, str) or not phrases.normalise(word):
            out.append(f"{path}[{n}]：应为非空的词语")
        elif len(word) > MAX_ENTRY_CHARS:
            out.append(f"{path}[{n}]：不超过 {MAX_ENTRY_CHARS} 字")
    return out


def _groups_problems(value: object, path: str) -> list[str]:
    """``all``: each item a word, or a list of interchangeable words (a synonym set)."""
    if not isinstance(value, list) or not value:
        return [f"{path}：应为非空的列表（每项一个词，或一组同义词）"]
    out = []
    for n, item in enumerate(value):
        out += _words_problems([item] if isinstance(item, str) else item, f"{path}[{n}]")
    return out


def _condition_problems(cond: object, path: str) -> list[str]:
    if not isinstance(cond, dict) or not cond:
        return [f"{path}：应为条件对象，如 {{\"list\": \"apology\"}} 或 {{\"any\": [\"电话\"]}}"]
    out = [f"{path}.{key}：不认识的条件，只能用 list、any、all、so_far" for key in cond if key not in CONDITION_KEYS]
    if "so_far" in cond and not isinstance(cond["so_far"], bool):
        out.append(f"{path}.so_far：应为 true 或 false（true：按考生到本轮为止说过的全部回复判断）")
    if "list" in cond and (not isinstance(cond["list"], str) or cond["list"] not in PHRASE_LISTS):
        out.append(f"{path}.list：没有名为 {cond['list']!r} 的用语列表")
    if "any" in cond:
        out += _words_problems(cond["any"], f"{path}.any")
    if "all" in cond:
        out += _groups_problems(cond["all"], f"{path}.all")
    return out


def _next_ids(turn: dict) -> list[str]:
    nxt = turn.get("next")
    if nxt is None:
        return []
    if isinstance(nxt, str):
        return [nxt]
    return [b.get("goto") for b in nxt if isinstance(b, dict)]


def _turn_problems(turn: object, n: int, ids: set[str]) -> list[str]:
    where = f"turns[{n}]"
    if not isinstance(turn, dict):
        return [f"{where}：应为对象"]
    out = []
    if (p := text_problem(turn.get("caller"), MAX_LINE_CHARS)):
        out.append(f"{where}.caller：{p}")
    if turn.get("info") is not None and (p := text_problem(turn.get("info"), MAX_LINE_CHARS)):
        out.append(f"{where}.info：{p}")
    kind = turn.get("type", "talk")
    if kind not in TURN_TYPES:
        out.append(f"{where}.type：应为 {'、'.join(TURN_TYPES)} 之一")
    elif (kind == "opening") != (n == 0):
        out.append(f"{where}.type：第一轮应为 opening（开篇），其余各轮不能是 opening")
    points = turn.get("key_points", [])
    if not isinstance(points, list):
        out.append(f"{where}.key_points：应为列表")
        points = []
    for k, point in enumerate(points):
        at = f"{where}.key_points[{k}]"
        if not isinstance(point, dict) or text_problem(point.get("name"), 60):
            out.append(f"{at}.name：不能为空，且不超过 60 字")
            continue
        if "any" not in point and "all" not in point:
            out.append(f"{at}：至少要有 any 或 all 词语列表")
        if "any" in point:
            out += _words_problems(point["any"], f"{at}.any")
        if "all" in point:
            out += _groups_problems(point["all"], f"{at}.all")
        if "wrong" in point:
            out += _words_problems(point["wrong"], f"{at}.wrong")
        also = point.get("also", [])
        if not isinstance(also, list) or not all(isinstance(t, str) and t in ids for t in also):
            out.append(f"{at}.also：应为轮次 id 的列表（客户追问同一问题的轮次），且每个 id 都存在")
    nxt = turn.get("next")
    if isinstance(nxt, list):
        if not nxt:
            out.append(f"{where}.next：分支列表不能为空；要结束通话请去掉 next")
        for b, branch in enumerate(nxt):
            at = f"{where}.next[{b}]"
            if not isinstance(branch, dict):
                out.append(f"{at}：应为 {{\"if\": 条件, \"goto\": 轮次 id}}")
                continue
            last = b == len(nxt) - 1
            if last and "if" in branch:
                out.append(f"{at}：最后一个分支应为不带 if 的默认分支")
            elif not last and "if" not in branch:
                out.append(f"{at}：只有最后一个分支可以不带 if（默认分支）")
            if "if" in branch:
                out += _condition_problems(branch["if"], f"{at}.if")
            if not isinstance(branch.get("goto"), str) or branch["goto"] not in ids:
                out.append(f"{at}.goto：没有 id 为 {branch.get('goto')!r} 的轮次")
    elif nxt is not None and (not isinstance(nxt, str) or nxt not in ids):
        out.append(f"{where}.next：没有 id 为 {nxt!r} 的轮次")
    if kind == "hold" and nxt is None:
        out.append(f"{where}.next：需查询等待（hold）的一轮之后必须还有一轮，用来检查等待后用语")
    return out


def _phrase_problems(extra: object) -> list[str]:
    if extra is None:
        return []
    if not isinstance(extra, dict):
        return ["phrases：应为 {用语列表: [补充词语]} 对象"]
    out = []
    for key, entries in extra.items():
        if key not in PHRASE_LISTS:
            out.append(f"phrases.{key}：没有这个用语列表，应为 {'、'.join(PHRASE_LISTS)} 之一")
            continue
        out += _words_problems(entries, f"phrases.{key}")
        for n, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, str) and (p := phrases.entry_problem(entry)):
                out.append(f"phrases.{key}[{n}]：{p}")
    return out


def validate(spec: dict) -> list[str]:
    out = []
    if (p := text_problem(spec.get("caller"), MAX_NAME_CHARS)):
        out.append(f"caller：来电者称呼{p}")
    if (p := text_problem(spec.get("situation"), MAX_SITUATION_CHARS)):
        out.append(f"situation：情境说明{p}")
    if spec.get("agent_id") is not None and text_problem(spec.get("agent_id"), 10):
        out.append("agent_id：考生工号应为 1 至 10 个字符")
    if spec.get("direction", "inbound") not in DIRECTIONS:
        out.append("direction：应为 inbound（呼入）或 outbound（呼出）")
    out += _phrase_problems(spec.get("phrases"))
    turns = spec.get("turns")
    if not isinstance(turns, list) or not turns:
        return out + ["turns：至少要有一轮来电者台词"]
    if len(turns) > MAX_TURNS:
        return out + [f"turns：不超过 {MAX_TURNS} 轮"]
    ids: dict[str, int] = {}
    for n, turn in enumerate(turns):
        tid = turn.get("id") if isinstance(turn, dict) else None
        if not isinstance(tid, str) or not tid.strip() or len(tid) > 32:
            out.append(f"turns[{n}].id：不能为空，且不超过 32 个字符")
        elif tid in ids:
            out.append(f"turns[{n}].id：与 turns[{ids[tid]}] 重复（{tid}）")
        else:
            ids[tid] = n
    for n, turn in enumerate(turns):
        out += _turn_problems(turn, n, set(ids))
    if out:
        return out
    return _graph_problems(turns, ids)


def _graph_problems(turns: list[dict], ids: dict[str, int]) -> list[str]:
    out, state = [], {}  # 1 on the current path, 2 done

    def visit(n: int) -> None:
        state[n] = 1
        for target in _next_ids(turns[n]):
            m = ids[target]
            if state.get(m) == 1:
                out.append(f"turns[{n}].next：回到了已经经过的轮次 {target}，通话脚本不能成环")
            elif m not in state:
                visit(m)
        state[n] = 2

    visit(0)
    for n, turn in enumerate(turns):
        if n not in state:
            out.append(f"turns[{n}]：从第一轮出发无法到达（{turn['id']}），请检查各轮的 next")
    if not any(turn.get("next") is None for turn in turns):
        out.append("turns：脚本没有结束轮次（至少一轮不设 next，来电者说完最后一句后由考生致结束语）")
    if out:
        return out
    if (longest := _longest(turns, ids, 0)) > MAX_PATH:
        out.append(f"turns：最长的一条通话路径有 {longest} 轮，不超过 {MAX_PATH} 轮")
    out += _leak_problems(turns, ids)
    for n, turn in enumerate(turns):
        if turn.get("key_points") and _avoidable(turns, ids, n):
            out.append(f"turns[{n}].key_points：该轮不在每一条通话路径上，要点无法对所有考生统一评分；"
                       "请把要点放在每条路径都会经过的轮次")
    return out


def _answer_key(turns: list[dict]) -> dict[str, str]:
    """Every word of every key point (and its likely wrong answers), normal form → as written."""
    out = {}
    for turn in turns:
        for point in turn.get("key_points") or ():
            for word in (*matcher.words_of(point), *(point.get("wrong") or ())):
                if matcher.normal(word):
                    out[matcher.normal(word)] = word
    return out


def _condition_words(cond: dict) -> list[str]:
    return [*(cond.get("any") or ()), *(w for item in cond.get("all") or () for w in
                                        ([item] if isinstance(item, str) else item))]


def _leak_problems(turns: list[dict], ids: dict[str, int]) -> list[str]:
    """The caller's next line must never tell the candidate which scoring words were hit: a branch may
    not listen for a word of the answer key (any key point's words or wrong answers; one containing the
    other counts), and a line the branches lead to may not repeat the branching turn's key-point words.
    The standard's phrase lists (``list``) may be listened for: they are the published service phrases
    every candidate is taught, not the scenario's answer key."""
    key = _answer_key(turns)
    out = []
    for n, turn in enumerate(turns):
        nxt = turn.get("next")
        if not isinstance(nxt, list):
            continue
        for b, branch in enumerate(nxt):
            clashes = {}
            for word in _condition_words(branch.get("if") or {}):
                w = matcher.normal(word)
                clash = next((shown for k, shown in key.items() if w and (w in k or k in w)), None)
                if clash is not None:
                    clashes.setdefault(word, clash)
            if clashes:
                pairs = "、".join(f"“{w}”（要点词“{k}”）" for w, k in list(clashes.items())[:5])
                more = f"等 {len(clashes)} 个" if len(clashes) > 5 else ""
                out.append(f"turns[{n}].next[{b}].if：条件词{pairs}{more}与要点词重合——来电者的下一句会暴露考生"
                           "是否说中了评分词；请按考生做了什么（如是否询问、是否给出建议）另选不计分的词，或去掉分支")
        own = [w for point in turn.get("key_points") or () for w in matcher.words_of(point) if matcher.normal(w)]
        for target in dict.fromkeys(b.get("goto") for b in nxt):
            line = matcher.normal(turns[ids[target]]["caller"])
            echoed = [w for w in own if matcher.normal(w) in line]
            if echoed:
                out.append(f"turns[{ids[target]}].caller：分支后的台词重复了 turns[{n}] 的要点词“{echoed[0]}”，"
                           "会让考生知道评分要点；请换一种说法")
    return out


def _longest(turns: list[dict], ids: dict[str, int], n: int) -> int:
    return 1 + max((_longest(turns, ids, ids[t]) for t in _next_ids(turns[n])), default=0)


def _avoidable(turns: list[dict], ids: dict[str, int], skip: int) -> bool:
    """Whether some path from the first turn to an end never passes turn ``skip``."""
    if skip == 0:
        return False
    seen, todo = {0}, [0]
    while todo:
        n = todo.pop()
        if turns[n].get("next") is None:
            return True
        for t in _next_ids(turns[n]):
            if ids[t] != skip and ids[t] not in seen:
                seen.add(ids[t])
                todo.append(ids[t])
    return False


# ---------------------------------------------------------------- replaying replies

@dataclass(frozen=True)
class Step:
    number: int  # 第 N 轮 of the conversation, from 1
    turn: dict
    reply: str | None  # None: the caller has spoken and waits for the candidate


@dataclass(frozen=True)
class Replay:
    steps: list[Step]
    finished: bool
    extra: int  # replies after the call had ended

    @property
    def answered(self) -> list[Step]:
        return [s for s in self.steps if s.reply is not None]


@lru_cache(maxsize=1)
def _defaults() -> dict[str, tuple[str, ...]]:
    return default_lists()


def branch_lists(spec: dict) -> dict[str, tuple[str, ...]]:
    return phrases.merged(_defaults(), spec.get("phrases"))


def holds(cond: dict, reply: str, lists: dict[str, tuple[str, ...]]) -> bool:
    """Whether the caller hears what ``cond`` listens for: read like a key point (``practical.matcher``:
    times and numbers normalised, a negated word not heard), so "我们没法关闭" is not heard as 关闭."""
    if "list" in cond and not matcher.list_hits(reply, lists.get(cond["list"], ())).matched:
        return False
    return matcher.meets(reply, {k: cond[k] for k in ("any", "all") if k in cond})


def following(turn: dict, reply: str, lists: dict[str, tuple[str, ...]], earlier: tuple[str, ...] = ()) -> str | None:
    """The id of the turn the caller goes on with after ``reply``, or None when the call ends. A
    condition with ``so_far`` listens to every reply so far (``earlier`` and this one): a caller does not
    ask again about what the agent already told them."""
    nxt = turn.get("next")
    if nxt is None or isinstance(nxt, str):
        return nxt
    for branch in nxt:
        cond = branch.get("if")
        heard = "\n".join((*earlier, reply)) if cond and cond.get("so_far") else reply
        if cond is None or holds(cond, heard, lists):
            return branch["goto"]
    return None


def replay(spec: dict, replies: list[str]) -> Replay:
    turns = {t["id"]: t for t in spec["turns"]}
    lists = branch_lists(spec)
    steps, current = [], spec["turns"][0]
    for n, reply in enumerate(replies):
        steps.append(Step(n + 1, current, reply))
        target = following(current, reply, lists, tuple(replies[:n]))
        if target is None:
            return Replay(steps, True, len(replies) - n - 1)
        current = turns[target]
    steps.append(Step(len(replies) + 1, current, None))
    return Replay(steps, False, 0)


def replies_of(answer: dict | None) -> list[str]:
    """The stored replies, tolerating an empty or odd answer (grading must never fail on one)."""
    replies = (answer or {}).get("replies") if isinstance(answer, dict) else None
    return [r for r in replies if isinstance(r, str)] if isinstance(replies, list) else []


# ---------------------------------------------------------------- the candidate's side

def normalise_answer(spec: dict, raw: object) -> dict:
    if not isinstance(raw, dict):
        raise AnswerError("作答格式错误：应为 JSON 对象 {\"replies\": [...]}")
    replies = raw.get("replies", [])
    if not isinstance(replies, list):
        raise AnswerError("作答格式错误：replies 应为回复列表")
    if len(replies) > MAX_PATH:
        raise AnswerError(f"回复过多：一通电话最多 {MAX_PATH} 句")
    out = []
    for n, reply in enumerate(replies, 1):
        if not isinstance(reply, str):
            raise AnswerError(f"第 {n} 句回复应为文字")
        if not reply.strip():
            raise AnswerError(f"第 {n} 句回复不能为空")
        if len(reply.strip()) > MAX_REPLY_CHARS:
            raise AnswerError(f"第 {n} 句回复有 {len(reply.strip())} 字，每句不超过 {MAX_REPLY_CHARS} 字，请分句回复")
        out.append(reply.strip())
    if replay(spec, out).extra:
        raise AnswerError("通话已经结束，不能再回复")
    return {"replies": out}


def append_reply(spec: dict, stored: dict | None, raw: object) -> dict:
    """The stored answer with one more reply, append-only: a call cannot be rewritten.

    ``raw`` is ``{"turn": n, "reply": "…"}``: the reply to the caller's line after ``n`` acknowledged
    replies. The same reply sent again for the same line (a retry whose first answer was lost) leaves the
    answer as it is; a different reply to a line already answered, or a reply to a line not yet reached,
    is refused. So a reply is always recorded against the caller line it answered.

    One reply per save: a whole list (``{"replies": [...]}``) is refused here, since it would add
    several replies at once, the later ones against caller lines the page never showed. Only a
    trainer's 试做 and ``callexam practical try`` take a list (``practical.trial``, through
    ``normalise_answer``)."""
    before = replies_of(stored)
    if not isinstance(raw, dict):
        raise AnswerError("作答格式错误：应为 JSON 对象 {\"turn\": 轮次, \"reply\": \"…\"}")
    if "replies" in raw:
        raise AnswerError("作答格式错误：每次保存一句回复 {\"turn\": 轮次, \"reply\": \"…\"}，"
                          "不接受整段回复列表（replies）")
    turn, reply = raw.get("turn"), raw.get("reply")
    if not isinstance(turn, int) or isinstance(turn, bool) or turn < 0:
        raise AnswerError("作答格式错误：turn 应为回答的是第几句来电（从 0 起的整数）")
    if not isinstance(reply, str):
        raise AnswerError(f"第 {turn + 1} 句回复应为文字")
    if not reply.strip():
        raise AnswerError(f"第 {turn + 1} 句回复不能为空")
    reply = reply.strip()
    if len(reply) > MAX_REPLY_CHARS:
        raise AnswerError(f"第 {turn + 1} 句回复有 {len(reply)} 字，每句不超过 {MAX_REPLY_CHARS} 字，请分句回复")
    if turn < len(before):
        if before[turn] == reply:
            return {"replies": before}  # a retry of an acknowledged reply
        raise AnswerError(f"第 {turn + 1} 句回复已经确认，不能修改")
    if turn > len(before):
        raise AnswerError(f"第 {len(before) + 1} 句回复尚未保存，请刷新页面后再回复")
    return normalise_answer(spec, {"replies": [*before, reply]})


def transcript_rows(spec: dict, answer: dict | None) -> list[tuple[int, str, str | None]]:
    """The call turn by turn for the examiner (page and API): (第 N 轮, the caller's line, the reply or None)."""
    return [(s.number, line_text(s.turn), s.reply) for s in replay(spec, replies_of(answer)).steps]


def line_text(turn: dict) -> str:
    return f"{turn['caller']}　【提示】{turn['info']}" if turn.get("info") else turn["caller"]


def view(spec: dict, answer: dict | None) -> dict:
    """The conversation so far: caller lines reached and the candidate's replies, nothing else."""
    played = replay(spec, replies_of(answer))
    transcript = []
    for step in played.steps:
        transcript.append({"who": "caller", "text": line_text(step.turn)})
        if step.reply is not None:
            transcript.append({"who": "agent", "text": step.reply})
    out = {
        "caller": spec["caller"], "situation": spec["situation"], "transcript": transcript,
        "awaiting_reply": not played.finished, "finished": played.finished,
        "direction": DIRECTIONS[spec.get("direction", "inbound")],
    }
    if spec.get("agent_id"):
        out["agent_id"] = spec["agent_id"]
    if not played.finished:
        ids = {t["id"]: n for n, t in enumerate(spec["turns"])}
        out["turns_left_hint"] = _longest(spec["turns"], ids, ids[played.steps[-1].turn["id"]])
    return out
