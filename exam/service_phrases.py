"""The service-phrase standard (服务用语) as data: the phrase lists the automatic checks of the simulated
call and the complaint scenario look for.

These are the standard's defaults. Trainers may replace any list in the web UI (``practical.phrase_views``,
stored as ``practical.models.PhraseList``); a list without a trainer's edit is the one below. Sections are
those of ``reference/000_342c68456648d604.txt`` part 二 (呼叫中心服务标准) unless another file is named.

Matching (``practical.phrases``): a reply and every entry are normalised the same way — NFKC, whitespace
and punctuation removed, case-folded — and an entry matches when it occurs in the reply as a substring.
So "您好，请讲" and "您好请讲" are the same entry, and an entry never has to spell out punctuation.

One placeholder is allowed inside an entry, because the standard's own opening carries a variable job
number (“XX 号业务受理专员”):

- ``{数字}`` — one or more digits, Arabic or Chinese (0-9, 〇零一二三四五六七八九十两百千), so
  "{数字}号" matches 8号, 008号 and 一〇八六号, and "{数字}小时" matches 24小时 and 两小时.

Entries are chosen to avoid false alarms as much as to find the phrase: the taboo list has “我不知道” but
not a bare “不知道”, because “不知道您现在方便吗” is a polite formula; the habit list has no bare “额”, which
is also 额度 (a credit limit).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

#: The placeholders an entry may use (see the module docstring).
PLACEHOLDERS = MappingProxyType({"数字": "[0-9〇零一二三四五六七八九十两百千]+"})


class PhraseListSpec(NamedTuple):
    name: str  # Chinese name shown to trainers
    entries: tuple[str, ...]
    note: str  # where the list comes from


PHRASE_LISTS: MappingProxyType[str, PhraseListSpec] = MappingProxyType({
    "greeting": PhraseListSpec(
        "问候", ("您好", "早上好", "上午好", "中午好", "下午好", "晚上好", "节日快乐", "新年好"),
        "1.1 开篇语“先生/女士，您好！”；1.1 节日首问语；4.3(1) 使用早上好/下午好/晚上好等问候语"),
    "self_intro": PhraseListSpec(
        "自我介绍（工号）", ("{数字}号", "工号", "号业务受理专员", "号专员", "号客服", "号话务员", "号座席",
                       "号坐席", "号为您服务"),
        "1.1 开篇语“我是……XX 号业务受理专员”；4.3(1) 进行个人介绍。条目须体现工号"),
    "offer_help": PhraseListSpec(
        "询问需求", ("请问有什么可以帮您", "有什么可以帮您", "有什么可以帮到您", "有什么能帮您", "有什么能为您",
                 "有什么可以为您", "请问您需要办理什么业务", "请问您有什么需要", "请问您需要什么帮助", "请问有什么需要",
                 "有什么能帮到您", "有什么需要帮忙", "有什么需要帮助"),
        "1.1 开篇语“请问有什么可以帮您？”"),
    "outbound_purpose": PhraseListSpec(
        "外呼说明来意", ("请问是", "请问您是", "刚才是您", "打扰您", "占用您", "方便接听", "回访", "跟进", "回复您",
                     "就您反映的", "关于您"),
        "2.21 回拨电话时用语“请问刚才是您拨打……咨询问题吗？”；002 呼出服务流程：礼貌地表明身份和呼出目的"),
    "hold_before": PhraseListSpec(
        "等待前用语", ("请您稍等", "请稍等", "请您稍候", "请稍候", "麻烦您稍等", "稍等片刻", "稍等一下",
                   "耽误您一点时间"),
        "1.2 等待前用语“请您稍等，我帮您核实一下好吗？”；4.3(1) 查询应请求对方同意"),
    "hold_after": PhraseListSpec(
        "等待后用语", ("感谢您的耐心等待", "谢谢您的耐心等待", "感谢您耐心等待", "谢谢您耐心等待", "感谢您的等待",
                   "谢谢您的等待", "让您久等了", "久等了", "耐心等候", "您的等候", "感谢您的耐心", "谢谢您的耐心",
                   "感谢您的等候", "谢谢您的等候", "感谢等待", "谢谢等待", "感谢您耐心", "谢谢您耐心"),
        "1.2 等待后用语“感谢您的耐心等待”；2.16“非常抱歉！让您久等了！”"),
    "closing": PhraseListSpec(
        "结束语", ("感谢您的来电", "谢谢您的来电", "感谢您来电", "感谢来电", "感谢您的接听", "谢谢您的接听",
                 "祝您愉快", "祝您生活愉快", "祝您晚安", "再见"),
        "1.4 结束语“感谢您的来电/祝您愉快/祝您晚安，再见！”"),
    "thanks": PhraseListSpec(
        "致谢", ("谢谢", "感谢", "多谢"),
        "2.1 礼貌用语：您、请、不客气、谢谢、非常抱歉"),
    "silent": PhraseListSpec(
        "空线（来电不出声）用语", ("请讲", "听不见您的声音", "听不到您的声音", "听不清您的声音", "无法为您服务"),
        "1.3 空话用语；特殊处理用语 4“您好，请讲，您好，请讲，听不见您的声音，无法为您服务，再见！”"),
    "dialect": PhraseListSpec(
        "听不懂方言时用语", ("方便讲普通话", "方便说普通话", "讲普通话", "说普通话", "用普通话"),
        "2.20 听不懂方言时用语“非常抱歉，先生/女士，打断您一下，您方便讲普通话吗？谢谢！”"),
    "abuse": PhraseListSpec(
        "骚扰、辱骂来电用语（无诉求的来电）", ("请问您需要帮助吗", "需要帮助吗", "有业务需要咨询吗", "没有业务需要咨询",
                       "没有其他业务咨询", "有什么业务需要", "有什么可以帮您"),
        "特殊处理用语 1–3：“请问您需要帮助吗？”“若没有其他业务咨询，再见！”“如果没有业务需要咨询，再见！”"),
    "off_topic": PhraseListSpec(
        "与业务无关来电用语", ("业务需要咨询", "业务咨询", "业务范围", "服务范围", "其他方式查询"),
        "特殊处理用语 5“请问您有业务需要咨询吗？”；2.7(2)“您咨询的问题超出了我们的服务范围”"),
    "acknowledge": PhraseListSpec(
        "理解客户心情", ("理解您", "您的心情我", "非常理解", "很理解", "能理解", "完全理解", "明白您的心情",
                   "明白您的感受", "体会您的心情", "感同身受", "换作是我",
                   # putting oneself in the caller's place, as agents say it ("换了谁都会生气", "搁谁身上都不舒服")
                   "换了是我", "换成是我", "换了我也", "换成我也", "换我也", "换了谁", "换作谁", "换成谁", "换谁",
                   "搁谁身上", "谁遇到都", "谁碰到都", "谁遇上都"),
        "2.12“您的心情我非常理解”；4.2(2) 对对方的情境和心情表示充分的理解"),
    "apology": PhraseListSpec(
        "致歉", ("抱歉", "对不起", "歉意", "道歉", "不好意思", "给您带来不便", "给您带来了不便", "给您添麻烦"),
        "2.9“非常抱歉，给您带来了不便”；2.15“我们深表歉意”"),
    "solution": PhraseListSpec(
        "提出解决方案", ("为您办理", "帮您办理", "为您办", "帮您办", "给您办", "为您处理", "帮您处理", "为您申请", "帮您申请", "为您安排",
                   "帮您安排", "为您登记", "帮您登记", "为您提交", "帮您提交", "为您补发", "为您退还", "退还给您",
                   "为您减免", "给您补偿", "上门", "建议您", "您可以"),
        "4.2(4) 积极、主动地提出问题的解决方案；4.3(3) 及时形成解决方案"),
    "follow_up": PhraseListSpec(
        "后续跟进承诺（时限或回电）", ("{数字}小时", "{数字}个小时", "{数字}个工作日", "{数字}天", "今天下班前",
                            "明天", "第一时间", "回电", "给您回电话", "回复您", "与您联系", "联系您", "回访",
                            "打给您", "给您打电话", "给您去电", "通知您"),
        "2.13“我们会在问题解决后的第一时间与您联系”；2.19“我们会在 24 小时与您联系”；004 告知处理时限及后续联系方式"),
    "taboo": PhraseListSpec(
        "禁忌语", ("我不知道", "我也不知道", "不归我管", "不关我的事", "跟我没关系", "不是我负责的", "你自己看着办",
                "你自己去查", "你自己看吧", "我们就是这样规定的", "规定就是这样", "没办法", "你听不懂吗",
                "我不是说过了吗", "我已经说过了", "你问我我问谁", "有本事你去投诉", "你去投诉吧", "爱找谁找谁",
                "电脑坏了", "系统坏了", "电脑死机了"),
        "本中心自定的词表：标准 2.2.1 只要求“不用禁忌语及口头禅”，没有列出词语；所列词语依据 4.2(3) 不使用贬低或"
        "轻视的语言、4.2(4) 不否认问题、4.3(3) 不得以计算机关机或电脑故障等理由敷衍客户，由本中心选定"),
    "habits": PhraseListSpec(
        "口头禅", ("嗯嗯", "那个那个", "这个这个", "对对对", "然后然后", "就是就是", "啊啊", "哦哦", "呃",
                "是吧是吧", "你懂吧", "你知道吧"),
        "本中心自定的词表：标准 2.2.1 只要求“不用禁忌语及口头禅”，004 要求避免不恰当的口头语，都没有列出词语；"
        "所列词语由本中心选定"),
})


def default_lists() -> dict[str, tuple[str, ...]]:
    """Every list's standard entries, keyed as ``PHRASE_LISTS`` (a fresh dict the caller may change)."""
    return {key: spec.entries for key, spec in PHRASE_LISTS.items()}


def name(key: str) -> str:
    return PHRASE_LISTS[key].name
