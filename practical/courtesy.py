"""The courtesy detector: what in a reply an examiner of service attitude would object to (pure).

The standard asks for patience with an upset caller and forbids belittling language (000 二(四) 4.2(3)
“对方情绪激动时，不使用贬低或轻视的语言和语调”; 4.2(4) 不否认问题), but lists no words. The word lists below
are this centre's own reading of those rules, grouped by what they do wrong:

- ``profanity``: swearing or insults;
- ``blame``: putting the fault on the caller in the second person, plain or polite ("你自己去关闭啊", "能怪谁",
  "是您自己没关");
- ``dismissive``: brushing the caller off — impatient imperatives ("有什么就快说"), questioning the
  caller's feelings ("我不理解您为什么这么激动"), or making light of the grievance ("这种事很正常", "您先忍一忍");
- ``refusal``: a refusal ("办不了", "没办法") with no alternative offered in the same reply.

A flag is a suggestion with its evidence (turn and words), never a verdict: the examiner confirms the
courtesy criterion. The first three are *severe*: a turn carrying one is not credited with key points
either, since an answer thrown at the caller is not an answer an examiner would accept as service.
"""

from __future__ import annotations

from dataclasses import dataclass

from practical import matcher

SEVERE = ("profanity", "blame", "dismissive")
KINDS = {"profanity": "脏话或侮辱", "blame": "指责客户", "dismissive": "不耐烦、轻视客户", "refusal": "拒绝而不给替代办法"}

WORDS = {
    "profanity": ("他妈", "妈的", "tmd", "神经病", "有病吧", "你有病", "傻子", "傻逼", "白痴", "笨蛋", "蠢",
                  "放屁", "闭嘴", "滚", "去死", "混蛋", "王八", "骂谁", "嘴巴放干净", "嘴放干净", "找骂", "欠骂"),
    "blame": ("你自己", "您自己不", "能怪谁", "怪谁", "怪你", "怪您自己", "怨谁", "是你的问题", "是您自己的问题",
              "谁让你", "谁叫你", "你怎么不", "你为什么不", "你不会", "你没看", "早干嘛", "早干什么", "活该",
              "你应该早", "要怪就怪", "你弄错了", "你搞错了", "你听不懂", "听不懂吗", "你不看", "你不是",
              # the same blame in the polite form ("是您自己没关", "是您没看清")
              "您自己没", "是您没", "您弄错了", "您搞错了"),
    "dismissive": ("快说", "说快点", "快点说", "别啰嗦", "别啰嗦", "别吵", "别嚷", "别喊", "你听好", "等着吧",
                   "爱信不信", "随便你", "随你", "你去投诉", "去投诉吧", "爱找谁", "我挂了", "就这样吧",
                   "为什么这么激动", "有什么好激动", "激动什么", "至于吗", "至于这么", "很正常", "挺正常", "正常现象",
                   "没什么大不了", "又不是什么大事", "多大点事", "有完没完", "烦不烦", "我也没办法", "跟我说没用",
                   "跟我说也没用", "不是我的事", "关我什么事", "你问别人", "自己去查", "自己去看", "自己看着办",
                   # telling the caller to put up with it
                   "忍一忍", "忍一下", "忍忍吧", "将就一下", "凑合一下"),
    "refusal": ("办不了", "没办法", "没法办", "不能办", "做不到", "这个不行", "那不行", "不行的", "肯定不行", "不可以", "不给办", "不受理", "管不了",
                "不归我们管", "无能为力", "不予处理", "处理不了"),
}
#: Words that offer a way forward: a refusal next to one of them is not a bare refusal.
ALTERNATIVE = ("建议", "您可以", "可以为您", "可以帮您", "为您", "帮您", "或者", "我们会", "另外", "改为", "换成",
               "替您", "给您安排", "转给", "转接", "联系", "申请", "预约", "安排", "派师傅")


@dataclass(frozen=True)
class Flag:
    kind: str  # a key of KINDS
    turn: int  # 第 N 轮
    words: tuple[str, ...]

    @property
    def severe(self) -> bool:
        return self.kind in SEVERE

    def as_json(self) -> dict:
        return {"kind": self.kind, "name": KINDS[self.kind], "turn": self.turn, "words": list(self.words)}

    def describe(self) -> str:
        return f"第 {self.turn} 轮{KINDS[self.kind]}：" + "、".join(f"“{w}”" for w in self.words)


def _found(normal: str, words: tuple[str, ...]) -> list[str]:
    return [w for w in dict.fromkeys(words) if matcher.squeeze(w) in normal]


def flags(reply: str, turn: int) -> list[Flag]:
    """Everything in one reply the detector objects to, one flag per kind."""
    normal = matcher.normal(reply)
    out = []
    for kind in ("profanity", "blame", "dismissive"):
        if (hit := _found(normal, WORDS[kind])):
            out.append(Flag(kind, turn, tuple(hit)))
    refusals = _found(normal, WORDS["refusal"])
    if refusals and not _found(normal, ALTERNATIVE):
        out.append(Flag("refusal", turn, tuple(refusals)))
    return out
