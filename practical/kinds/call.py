"""模拟通话（call）：考生与按脚本应答的来电者逐句对话，机器检查服务用语，考评员评表达与礼貌。

场景内容（spec）格式：

    {
      "caller": "王女士",                  来电者称呼（页面显示），不超过 20 字
      "situation": "……",                   给考生的情境说明：业务背景、可用信息、要做的事
      "agent_id": "1086",                  可选：考生本次使用的工号，页面显示，开篇语应报出
      "direction": "inbound",              可选：inbound 呼入（默认）或 outbound 呼出（回访、回拨）
      "phrases": {"solution": ["补开发票"]}, 可选：本场景补充到某个服务用语列表的词语
      "turns": [                           来电者的台词，第一项为开场
        {"id": "t1",                       轮次编号，唯一
         "caller": "（电话接通）",            来电者这一句（括号内为情境描述），不能为空
         "info": "查询结果：……",             可选：随这一句显示给考生的系统提示（查询结果、客户资料等）
         "type": "opening",                本轮类型，见下
         "key_points": [{"name": "说明多出的费用是国际漫游费", "any": ["漫游"]}],
                                           可选：考生从本轮起应答到的要点（any 任一词 / all 全部词）；
                                           该轮须在每条通话路径上
         "next": "t2"                      下一轮；或分支列表（按顺序取第一个条件成立的）：
                 [{"if": {"list": "apology"}, "goto": "t3"},
                  {"if": {"any": ["电话", "手机号"]}, "goto": "t4"},
                  {"goto": "t5"}]          最后一项为不带 if 的默认分支；
                                           不设 next 表示来电者说完这一句通话即将结束，考生本轮应致结束语
        }
      ]
    }

本轮类型（type）：opening 开篇（只能是第一轮：考生须问候、报工号自我介绍、询问需求；呼出时改为核实身份或说明来意）；
talk 普通对话（默认）；hold 需要查询（考生本轮须用等待前用语，下一轮须用等待后用语，下一轮通常是
“（客户在线等待）”加上 info 给出查询结果）；upset 客户有真实诉求但情绪激动、抱怨（考生应按 2.12 先表示理解，
“您的心情我非常理解，为了更有效地帮助您，请问您……”，不适用特殊处理用语）；silent 来电不出声；dialect 讲方言；
abuse 骚扰辱骂（不反映任何问题，只是骂人，才用特殊处理用语 1–3）；off_topic 与业务无关。silent、dialect、
abuse、off_topic 本轮须使用标准规定的对应用语。

要点（key_points）：any 为同义说法，任一出现即可；all 的每一项（一个词，或一组可互换的词）都要出现。
时间、日期、数字先统一写法再比较（“下午6:00”“18点”“晚上六点”与“18:00”相同，“18号”不是时间），
同一分句里在词前出现否定（不、没、别、无法、不能……）不算答到。要点只在答复该问的轮次计：本轮，
以及 also 列出的轮次（如客户没听明白又追问的那一轮）。wrong 为可选的错误说法（如“明天才能恢复”），
答复该问时说出其一即为提供错误信息：机器建议各要点及答复内容类各项为 0 分，由考评员确认。

分支条件（if）：list 为服务用语列表名，any 为任一词出现，all 为全部词出现（同样排除否定说法）；so_far 为 true 时按考生
到本轮为止的全部回复判断（客户不会再问已经听到的事）；多项同时写
表示都要满足。来电者下一句在服务器上按考生说了什么选出，页面看不到条件。分支只按标准的默认列表和本场景补充的
词语判断，培训师事后修改列表不会改变考生已经看到的对话。脚本不能成环，每一轮都须能从第一轮到达，至少有一轮结束。

评分（practical.call_grading）：机器判定的只有确切的程序性规则——开篇语三项、等待前后用语、特殊情形用语、
结束语、本中心禁忌语和口头禅词表，占本题分值的 2/5。要点、表达清晰、礼貌、安抚情绪由机器给出建议和依据
（轮次、匹配的词、否定），考评员逐项确认或改判（改判须写理由），占 3/5；考评员确认前本题成绩不是最终成绩。

随系统提供的场景（practical/content/call.json、complaint.json）每项另有 example_replies：一套示范作答；
tests/corpus/practical/ 里每个场景另有好、坏作答各至少 5 套及其预期结论，用来验证机器建议。
"""

from __future__ import annotations

from fractions import Fraction

from exam.service_phrases import default_lists
from practical import call_grading, call_script
from practical.kinds.base import AutoResult

KIND = "call"
NAME = "模拟通话"
LEVELS = ("junior", "intermediate", "senior")
MANUAL = True
MANUAL_SHARE = call_grading.EXAMINER_SHARE["call"]
RUBRIC_FROM_SPEC = True  # the examiner criteria follow from the script (its key points)
#: The top-level keys a trainer's 试做 / ``callexam practical try`` may send (the whole call), and those of a
#: candidate's save (one reply); ``practical.kinds`` refuses any other, naming these.
ANSWER_KEYS = {"replies": "各句回复的列表"}
SAVE_KEYS = {"turn": "回答的是第几句来电，从 0 起", "reply": "这一句回复的文字"}
SAVE_NOTE = "每次保存一句回复，不接受整段回复列表（replies）"


def validate_spec(spec: dict) -> list[str]:
    return call_script.validate(spec)


def default_rubric(spec: dict) -> list[dict]:
    return call_grading.rubric(spec)


def candidate_view(spec: dict, answer: dict, seed: int) -> dict:
    return call_script.view(spec, answer)


def normalise_answer(spec: dict, raw: object, seed: int) -> dict:
    return call_script.normalise_answer(spec, raw)


def merge_answer(spec: dict, stored: dict, raw: object, seed: int) -> dict:
    """Saving a call appends one reply; an acknowledged reply is never changed (``call_script.append_reply``)."""
    return call_script.append_reply(spec, stored, raw)


def after_save(spec: dict, answer: dict, seed: int) -> dict:
    return call_script.view(spec, answer)


def grade_with(spec: dict, answer: dict, seed: int, points: Fraction, lists: dict) -> AutoResult:
    return call_grading.grade(spec, answer, points, lists)


def auto_grade(spec: dict, answer: dict, seed: int, points: Fraction) -> AutoResult:
    return grade_with(spec, answer, seed, points, lists=default_lists())
