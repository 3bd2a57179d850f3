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
“（客户在线等待）”加上 info 给出查询结果）；silent 来电不出声；dialect 讲方言；abuse 辱骂骚扰；
off_topic 与业务无关。后四种本轮须使用标准规定的对应用语。

分支条件（if）：list 为服务用语列表名（greeting、apology、solution、follow_up 等，见“服务用语”页面），
any 为任一词出现，all 为全部词出现；多项同时写表示都要满足。分支只按标准的默认列表和本场景补充的词语判断，
培训师事后修改列表不会改变考生已经看到的对话。脚本不能成环，每一轮都须能从第一轮到达，至少有一轮结束。

机器检查（占本题分值的 4/5，按权重分配）：开篇语三项、等待前后用语、特殊情形用语、要点、结束语各 1，
禁忌语 2，口头禅 1（全程允许 1 次）。表达与礼貌由考评员按评分细则评定（1/5）。

随系统提供的场景（practical/content/call.json、complaint.json）每项另有 example_replies：一套能得满机器分的
示范作答，供测试和培训参考，不随场景入库。
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
MANUAL_SHARE = Fraction(1, 5)


def validate_spec(spec: dict) -> list[str]:
    return call_script.validate(spec)


def default_rubric(spec: dict) -> list[dict]:
    return [
        {"key": "clarity", "name": "表达清晰、层次分明", "points": "1/10",
         "description": "按“开篇—了解需求—解答或办理—确认—结束”的步骤沟通；复述客户需求，答复准确、完整、"
                        "通俗，少用行业术语。"},
        {"key": "courtesy", "name": "礼貌耐心、语气亲切", "points": "1/10",
         "description": "称呼得体，使用“您”“请”“谢谢”等礼貌用语；语气积极、肯定，不急躁、不推诿，"
                        "客户情绪不好时保持耐心。"},
    ]


def candidate_view(spec: dict, answer: dict, seed: int) -> dict:
    return call_script.view(spec, answer)


def normalise_answer(spec: dict, raw: object, seed: int) -> dict:
    return call_script.normalise_answer(spec, raw)


def after_save(spec: dict, answer: dict, seed: int) -> dict:
    return call_script.view(spec, answer)


def grade_with(spec: dict, answer: dict, seed: int, points: Fraction, lists: dict) -> AutoResult:
    return call_grading.grade(spec, answer, points, MANUAL_SHARE, lists)


def auto_grade(spec: dict, answer: dict, seed: int, points: Fraction) -> AutoResult:
    return grade_with(spec, answer, seed, points, lists=default_lists())
