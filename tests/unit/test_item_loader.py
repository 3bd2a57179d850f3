import json

import pytest

from exam import standard
from question_bank import loader
from question_bank.validation import ItemError, validate

GOOD = {"ref": "T-1", "level": "junior", "area": "service", "type": "single", "stem": "开篇语应包含什么？",
        "options": ["问候", "报工号", "以上皆否", "沉默"], "key": [1]}


def write(tmp_path, name, items):
    path = tmp_path / name
    path.write_text(json.dumps(items, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_a_good_item_validates():
    data = validate(GOOD)
    assert data.kind == "single" and data.key == [1]


@pytest.mark.parametrize("change,field,message", [
    ({"level": "expert"}, "level", "未知等级"),
    ({"area": "guidance"}, "area", "初级没有职业功能"),
    ({"type": "essay"}, "type", "未知题型"),
    ({"stem": "  "}, "stem", "不能为空"),
    ({"options": ["a"]}, "options", "2 至 8"),
    ({"options": ["a", "a", "b", "c"]}, "options", "重复"),
    ({"key": [4]}, "key", "超出范围"),
    ({"key": [0, 1]}, "key", "恰有一个"),
    ({"type": "multiple", "key": [1]}, "key", "至少有两个"),
    ({"type": "truefalse", "options": []}, "key", "true 或 false"),
    ({"difficulty": 7}, "difficulty", "1、2 或 3"),
])
def test_each_bad_field_is_named(change, field, message):
    with pytest.raises(ItemError, match=message) as info:
        validate({**GOOD, **change})
    assert info.value.field == field


def test_errors_name_file_and_item_and_nothing_is_loaded(tmp_path):
    good = write(tmp_path, "a.json", [GOOD])
    bad = write(tmp_path, "b.json", [{**GOOD, "ref": "T-2"}, {**GOOD, "ref": "T-3", "key": [9]}])
    with pytest.raises(loader.LoadError) as info:
        loader.parse_files([good, bad])
    assert "b.json 第 2 题，字段 key" in str(info.value)


def test_json_syntax_errors_give_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"ref": "x",\n  }\n]', encoding="utf-8")
    with pytest.raises(loader.LoadError, match=r"broken.json 第 3 行第 3 列：JSON 格式错误"):
        loader.parse_files([path])


def test_duplicate_refs_across_files_are_refused(tmp_path):
    a = write(tmp_path, "a.json", [GOOD])
    b = write(tmp_path, "b.json", [GOOD])
    with pytest.raises(loader.LoadError, match="编号 T-1 与 .*a.json 第 1 题 重复"):
        loader.parse_files([a, b])


def test_demo_bank_covers_every_area_of_every_level_with_at_least_40_items():
    items = loader.parse_files(loader.demo_files())
    for code, lvl in standard.LEVELS.items():
        mine = [i for i in items if code in i.levels]
        assert len(mine) >= 40, code
        for area in lvl.areas:
            assert any(i.area == area.code for i in mine), (code, area.code)
    stems = [i.stem for i in items]
    assert len(set(stems)) == len(stems)


def test_every_kind_validates_to_its_key_shape():
    fill = validate({"levels": ["junior", "intermediate"], "area": "service", "type": "fill",
                     "stem": "服务水平常用标准为 ____。", "answers": ["80/20", " 80%/20秒 "]})
    assert fill.levels == ("junior", "intermediate") and fill.key == ["80/20", "80%/20秒"]
    short = validate({"level": "senior", "area": "guidance", "type": "short", "stem": "简述质检流程。",
                      "reference": "抽样、评分、反馈。", "points": ["抽样", "评分", "反馈"]})
    assert short.key == {"reference": "抽样、评分、反馈。", "points": ["抽样", "评分", "反馈"]}
    multiple = validate({**GOOD, "type": "multiple", "key": [2, 0], "scoring": "partial"})
    assert multiple.key == [0, 2] and multiple.scoring == "partial"


@pytest.mark.parametrize("change,field,message", [
    ({"type": "fill", "options": [], "answers": []}, "answers", "不能为空"),
    ({"type": "fill", "options": ["a", "b"], "answers": ["x"]}, "options", "不应有选项"),
    ({"type": "short", "options": [], "reference": "r", "points": "p"}, "points", "列表"),
    ({"type": "short", "options": [], "reference": "", "points": ["p"]}, "reference", "不能为空"),
    ({"type": "multiple", "key": [0, 1], "scoring": "half"}, "scoring", "计分方式"),
    ({"levels": ["junior", "senior"], "area": "guidance"}, "area", "初级没有职业功能"),
    ({"tags": ["<b>x</b>"]}, "tags", "不含 <"),
])
def test_new_fields_are_checked_by_name(change, field, message):
    with pytest.raises(ItemError, match=message) as info:
        validate({**GOOD, **change})
    assert info.value.field == field


def test_authored_text_is_sanitised_and_typed_answers_are_not():
    data = validate({**GOOD, "stem": '开篇语<script>alert(1)</script><b onclick="x">要点</b> a < b',
                     "options": ["<img src=x onerror=alert(1)>问候", "报工号", "c", "d"]})
    # nothing is deleted: what is not an allowed tag is escaped and shown as written, attributes go
    assert data.stem == "开篇语&lt;script&gt;alert(1)&lt;/script&gt;<b>要点</b> a &lt; b"
    assert data.options[0] == "&lt;img src=x onerror=alert(1)&gt;问候"
    fill = validate({**GOOD, "type": "fill", "options": [], "answers": ["a<b"]})
    assert fill.key == ["a<b"]
