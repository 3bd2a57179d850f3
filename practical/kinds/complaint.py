"""投诉处理（complaint）：与模拟通话相同的脚本对话（内容格式见“模拟通话”），来电者带着不满而来，
考生须按投诉处理的步骤应对：先安抚情绪、致歉，再提出解决方案，并承诺后续跟进的时限或回电。

机器只判定模拟通话的程序性检查（开篇语、等待用语、特殊情形用语、结束语、禁忌语、口头禅），占本题分值的 1/3。
投诉处理的四步——理解客户心情（须不晚于第一次提出解决方案，即先安抚再解决）、致歉、提出解决方案、后续跟进承诺
（如“24 小时内”“两个工作日内给您回电”）——以及各要点和礼貌，由机器给出建议和依据，考评员逐项确认或改判，
占 2/3，因为投诉处理的成败主要在语气与分寸。本场景特有的解决办法可写在 phrases.solution 中补充。
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
MANUAL_SHARE = call_grading.EXAMINER_SHARE["complaint"]
RUBRIC_FROM_SPEC = True


def validate_spec(spec: dict) -> list[str]:
    return call_script.validate(spec)


def default_rubric(spec: dict) -> list[dict]:
    return call_grading.rubric(spec, complaint=True)


# The conversation itself is the simulated call's: same script, same page, same answer.
candidate_view, normalise_answer, after_save = call.candidate_view, call.normalise_answer, call.after_save
merge_answer = call.merge_answer
ANSWER_KEYS, SAVE_KEYS, SAVE_NOTE = call.ANSWER_KEYS, call.SAVE_KEYS, call.SAVE_NOTE


def grade_with(spec: dict, answer: dict, seed: int, points: Fraction, lists: dict) -> AutoResult:
    return call_grading.grade(spec, answer, points, lists, complaint=True)


def auto_grade(spec: dict, answer: dict, seed: int, points: Fraction) -> AutoResult:
    return grade_with(spec, answer, seed, points, lists=default_lists())
