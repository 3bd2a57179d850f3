"""Pictures in stems: checked by their bytes, kept by the sanitiser only from the bank's own store, read
from Moodle XML (Moodle's own fixture with a 1.9 image, and ``@@PLUGINFILE@@`` files) and QTI packages
(IMS's QTI 2.1 ``choice`` sample with a picture from 1EdTech's BBQs package), refused by name and reason
when bad, and written back (base64 files in Moodle XML, package files in QTI that validate)."""

import base64
import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from question_bank import importer, sanitise, transfer
from question_bank.formats import media, moodle_xml, qti, where
from question_bank.transfer import Defaults
from question_bank.validation import ItemError, validate
from tests import qti_xsd

FIXTURES = Path(__file__).parent.parent / "fixtures"
OLD_IMAGE = FIXTURES / "moodle" / "sample_questions_with_old_image_tag.xml"
GRAPH = FIXTURES / "qti" / "bbqs" / "id-992e8bd3c9ac" / "images" / "cubic_xpw3d6m2xp3.png"
CHOICE_21 = FIXTURES / "qti" / "v2p1" / "choice.xml"
JUNIOR_SERVICE = Defaults(("junior",), "service")
MOODLE_PNG = base64.b64decode(
    "".join(OLD_IMAGE.read_text().split("<image_base64>")[2].split("</image_base64>")[0].split()))


def image_bytes(fmt: str, size=(20, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


# ---------------------------------------------------------------- checking a file

@pytest.mark.parametrize("fmt, mime", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"),
                                       ("WEBP", "image/webp")])
def test_the_four_kinds_are_recognised_by_their_bytes(fmt, mime):
    picture = media.check("图.bin", image_bytes(fmt))
    assert (picture.mime, picture.width, picture.height) == (mime, 20, 10)
    assert picture.url == f"/media/{picture.sha256}.{media.EXT_BY_MIME[mime]}"


@pytest.mark.parametrize("name, data, reason", [
    ("x.png", b"ID3\x03\x00\x00\x00 an MP3 called png", "不是 PNG、JPEG、GIF 或 WebP 图片"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG 可能含脚本"),
    ("logo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG 可能含脚本"),
    ("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * media.MAX_FILE, "超过每张 2 MB"),
    ("cut.png", MOODLE_PNG[:40], "无法读取"),
    ("empty.png", b"", "是空的"),
])
def test_bad_files_are_refused_naming_the_file_and_why(name, data, reason):
    with pytest.raises(media.MediaError) as info:
        media.check(name, data)
    assert name in str(info.value) and reason in str(info.value)


def test_a_picture_too_wide_and_an_item_over_its_total_are_refused():
    with pytest.raises(media.MediaError, match="每边不能超过 8000 像素"):
        media.check("wide.png", image_bytes("PNG", (9000, 1)))
    big = media.Picture("a" * 64, "image/png", 1, 1, b"x" * (media.MAX_ITEM // 2 + 1))
    other = media.Picture("b" * 64, "image/png", 1, 1, b"x" * (media.MAX_ITEM // 2 + 1))
    with pytest.raises(media.MediaError, match="合计不能超过 2 MB"):
        media.check_item([big, other])
    media.check_item([big, big])          # the same picture twice is stored once


# ---------------------------------------------------------------- the sanitiser

def test_a_stem_keeps_only_pictures_of_the_bank_with_src_and_alt():
    url = f"/media/{'ab' * 32}.png"
    stem = sanitise.clean(f'<p>看图<img src="{url}" onerror="alert(1)" width="9">，再<img src="http://evil/x.png"></p>',
                          images=True)
    assert stem == f'<p>看图<img src="{url}" alt="">，再&lt;img src="http://evil/x.png"&gt;</p>'
    assert sanitise.clean(stem, images=True) == stem                      # idempotent
    assert "<img" not in sanitise.clean(f'<img src="{url}">')             # not outside a stem (options …)
    assert media.refs(stem) == ["ab" * 32] and media.without_alt(stem) == 1
    with_alt = sanitise.clean(f'<img src="{url}" alt="坐席 &quot;工具栏&quot; > 截图">', images=True)
    assert media.without_alt(with_alt) == 0 and 'alt="坐席 &quot;工具栏&quot; &gt; 截图"' in with_alt


# ---------------------------------------------------------------- Moodle XML

def test_moodles_fixture_with_a_19_image_imports_the_picture_and_warns_of_its_missing_alt():
    result = importer.read(OLD_IMAGE.name, OLD_IMAGE.read_bytes(), None, JUNIOR_SERVICE)
    assert result.refused == [(16, "题目“cloze question with image”的题型 cloze（完形填空（Cloze）题）不受支持，未导入")]
    (_, data, warnings), = result.items
    picture, = data.pictures
    assert (picture.mime, picture.width, picture.height, picture.data) == ("image/png", 16, 16, MOODLE_PNG)
    assert data.stem.endswith(f'<img src="{picture.url}" alt="">') and data.ref == "mcq with image"
    assert any("没有替代文本（alt）" in w for w in warnings)


def moodle_file(stem: str, files: dict[str, bytes], name="看图题") -> bytes:
    parts = "".join(f'<file name="{n}" path="/" encoding="base64">{base64.b64encode(d).decode()}</file>'
                    for n, d in files.items())
    return (f'<?xml version="1.0" encoding="UTF-8"?><quiz><question type="truefalse"><name><text>{name}</text></name>'
            f'<questiontext format="html"><text><![CDATA[{stem}]]></text>{parts}</questiontext>'
            '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>'
            '</question></quiz>').encode()


def test_pluginfile_pictures_keep_their_alt_and_bad_ones_refuse_only_their_question():
    good = moodle_file('<p>图中是 IVR 菜单吗？<img src="@@PLUGINFILE@@/moodle%20logo.png" alt="Moodle 标志"></p>',
                       {"moodle logo.png": MOODLE_PNG})
    (item,), refused = moodle_xml.parse(good)
    assert refused == [] and 'alt="Moodle 标志"' in item.stem and item.pictures[0].data == MOODLE_PNG
    assert media.without_alt(validate(transfer.from_parsed(item, JUNIOR_SERVICE)).stem) == 0
    cases = {
        "缺文件": ('<img src="@@PLUGINFILE@@/gone.png" alt="x">', {}, "题干引用的文件“gone.png”不在文件中"),
        "音频": ('<a href="@@PLUGINFILE@@/bonjour.mp3">听</a>', {"bonjour.mp3": b"ID3\x03\x00 mp3"},
                 "文件“bonjour.mp3”不是 PNG、JPEG、GIF 或 WebP 图片"),
        "矢量图": ('<img src="@@PLUGINFILE@@/a.svg" alt="x">', {"a.svg": b"<svg/>"}, "SVG 可能含脚本"),
        "大图": ('<img src="@@PLUGINFILE@@/big.png" alt="x">', {"big.png": b"\x89PNG\r\n\x1a\n" + bytes(media.MAX_FILE)},
                 "超过每张 2 MB"),
    }
    for name, (stem, files, reason) in cases.items():
        items, refused = moodle_xml.parse(moodle_file(stem, files, name))
        assert items == [] and len(refused) == 1, name
        assert f"题目“{name}”" in refused[0][1] and reason in refused[0][1], refused


def test_a_moodle_file_with_a_bad_picture_imports_the_rest_when_the_trainer_asks():
    text = moodle_file('<img src="@@PLUGINFILE@@/a.svg" alt="x">', {"a.svg": b"<svg/>"}, "坏图").decode()
    text = text.replace("</quiz>", moodle_file('图？<img src="@@PLUGINFILE@@/m.png" alt="标志">', {"m.png": MOODLE_PNG},
                                              "好图").decode().split("<quiz>")[1])
    with pytest.raises(importer.BankImportError):
        importer.read_file("two.xml", text.encode(), None, JUNIOR_SERVICE)          # all or nothing by default
    reading = importer.read_file("two.xml", text.encode(), None, JUNIOR_SERVICE, partial=True)
    assert [d.ref for _, d, _ in reading.items] == ["好图"] and "坏图" in reading.refused[0][1]


# ---------------------------------------------------------------- QTI

def qti_package(files: dict[str, bytes], href="choice.xml") -> bytes:
    manifest = ('<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>'
                f'<resource identifier="c" type="imsqti_item_xmlv2p1" href="{href}"><file href="{href}"/></resource>'
                '</resources></manifest>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("imsmanifest.xml", manifest)
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def test_ims_choice_sample_imports_with_its_picture_from_the_package():
    """IMS's QTI 2.1 ``choice`` item shows ``images/sign.png``; the package carries a real PNG there
    (1EdTech's BBQs graph: the sample's own picture is not published with it)."""
    data = qti_package({"choice.xml": CHOICE_21.read_bytes(), "images/sign.png": GRAPH.read_bytes()})
    reading = importer.read("choice.zip", data, None, JUNIOR_SERVICE)
    (_, item, warnings), = reading.items
    picture, = item.pictures
    assert (picture.width, picture.height) == (627, 511) and item.title == "Unattended Luggage"
    assert f'<img src="{picture.url}" alt="NEVER LEAVE LUGGAGE UNATTENDED">' in item.stem and warnings == ()


@pytest.mark.parametrize("files, reason", [
    ({}, "图片文件“images/sign.png”不在内容包中"),
    ({"images/sign.png": b"<svg/>"}, "SVG 可能含脚本"),
    ({"images/sign.png": b"GIF89a but not really"}, "无法读取"),
])
def test_a_qti_item_whose_picture_is_missing_or_bad_is_refused_by_name(files, reason):
    items, refused = qti.read_package(qti_package({"choice.xml": CHOICE_21.read_bytes(), **files}))
    (line, why), = refused
    assert items == [] and line == 1 and line.href == "choice.xml" and reason in why        # the item's file named
    assert where("choice.zip", line) == "choice.zip 中 choice.xml（第 1 题）"
    item, why = qti.read_item(CHOICE_21.read_bytes(), "choice.xml", 1)       # a bare item carries no files
    assert item is None and "单个 XML 文件无法携带图片" in why


def test_pictures_are_written_back_in_moodle_xml_and_as_qti_package_files_that_validate():
    (_, data, _), = importer.read(OLD_IMAGE.name, OLD_IMAGE.read_bytes(), None, JUNIOR_SERVICE).items
    picture, = data.pictures
    obj = importer._round_trip("moodlexml", data, data.pictures)
    text = moodle_xml.dump([obj])
    assert f'src="@@PLUGINFILE@@/{picture.sha256}.png"' in text
    assert f'<file name="{picture.sha256}.png" path="/" encoding="base64">{base64.b64encode(MOODLE_PNG).decode()}</file>' in text
    (back,), _ = moodle_xml.parse(text.encode())
    assert back.stem == data.stem and back.pictures == data.pictures

    package = qti.write_package([importer._round_trip("qti", data, data.pictures)] * 2)
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        path = f"items/media/{picture.sha256}.png"
        assert zf.namelist().count(path) == 1 and zf.read(path) == MOODLE_PNG     # written once
        for name in zf.namelist():
            if name.endswith(".xml"):
                xsd = qti_xsd.MANIFEST_XSD if name == "imsmanifest.xml" else qti_xsd.ITEM_XSD
                assert qti_xsd.errors(zf.read(name), xsd) == [], name
        assert zf.read("imsmanifest.xml").count(path.encode()) == 2               # listed by each item
    parsed, refused = qti.read_package(package)
    assert refused == [] and parsed[0].stem.endswith(f'<img src="{picture.url}" alt="">')

    with pytest.raises(ValueError, match="无法携带图片文件"):
        importer._round_trip("csv", data, data.pictures)


def test_a_stem_may_show_at_most_ten_pictures():
    pictures = [media.check(f"{n}.png", image_bytes("PNG", (n + 1, 1))) for n in range(11)]
    stem = "".join(f'<img src="{p.url}" alt="{n}">' for n, p in enumerate(pictures))
    raw = {"levels": ["junior"], "area": "service", "type": "truefalse", "stem": stem, "key": True,
           "pictures": tuple(pictures)}
    with pytest.raises(ItemError, match="最多 10 张"):
        validate(raw)
