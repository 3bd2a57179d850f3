"""投诉处理（complaint）：与模拟通话相同的脚本对话（内容格式见“模拟通话”），来电者带着不满而来，
考生须按投诉处理的步骤应对：先安抚情绪、致歉，再提出解决方案，并承诺后续跟进的时限或回电。

除模拟通话的各项机器检查外，另有四项（各权重 2）：
理解客户心情（须不晚于第一次提出解决方案，即先安抚再解决）、致歉、提出解决方案、后续跟进承诺
（如“24 小时内”“两个工作日内给您回电”）。本场景特有的解决办法可写在 phrases.solution 中补充。
机器检查占本题分值的 2/3；情绪安抚与语气、同理心由考评员评定（1/3），因为投诉处理的成败主要在语气与分寸。
"""

from __future__ import annotations

from fractions import Fraction

from exam.service_phrases import default_lists
from practical import call_grading, call_script
from practical.kinds.base import AutoResult
from practical.kinds import call

KIND = "complaint"
NAME = "投诉处理"
LEVELS = ("intermediate",)
MANUAL = True
MANUAL_SHARE = Fraction(1, 3)


def validate_spec(spec: dict) -> list[str]:
    return call_script.validate(spec)


def default_rubric(spec: dict) -> list[dict]:
    return [
        {"key": "soothing", "name": "情绪安抚与语气", "points": "1/6",
         "description": "客户激动时语气平和、不争辩、不贬低；先让客户把话说完，适时应和，逐步把话题引回解决问题。"},
        {"key": "empathy", "name": "同理心", "points": "1/6",
         "description": "站在客户角度复述其遭遇与诉求，对其处境表示理解；道歉真诚、具体，不敷衍、不推卸责任。"},
    ]


# The conversation itself is the simulated call's: same script, same page, same answer.
candidate_view, normalise_answer, after_save = call.candidate_view, call.normalise_answer, call.after_save


def grade_with(spec: dict, answer: dict, seed: int, points: Fraction, lists: dict) -> AutoResult:
    return call_grading.grade(spec, answer, points, MANUAL_SHARE, lists, complaint=True)


def auto_grade(spec: dict, answer: dict, seed: int, points: Fraction) -> AutoResult:
    return grade_with(spec, answer, seed, points, lists=default_lists())
