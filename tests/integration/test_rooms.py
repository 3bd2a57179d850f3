"""Rooms through HTTP: added, edited, switched off and deleted with audit entries, and never cut below
the seats a coming session needs."""

from __future__ import annotations

from tests.integration.scheduling import NEW, audit_details, create, local_day, new_room, query_rows
from tests.webclient import csrf_token


def test_rooms_are_added_edited_deactivated_and_deleted_with_audit(examiner, engine, users):
    client = examiner
    token = csrf_token(client, "/examiner/rooms/new")
    resp = client.post("/examiner/rooms/new", data={"csrf_token": token, "name": "第一考场", "seats": "30",
                                                    "location": "培训楼 302"})
    assert resp.status_code == 302
    (room_id, seats, active), = query_rows(engine, "SELECT id, seats, active FROM room WHERE name = '第一考场'")
    assert seats == 30 and active
    html = client.get("/examiner/rooms/").get_data(as_text=True)
    assert "第一考场" in html and "培训楼 302" in html

    # the same name again, and seat counts out of range, are refused in Chinese
    html = client.post("/examiner/rooms/new", data={"csrf_token": token, "name": " 第一考场 ", "seats": "10"}
                       ).get_data(as_text=True)
    assert "已有名为“第一考场”的考场" in html
    html = client.post("/examiner/rooms/new", data={"csrf_token": token, "name": "大厅", "seats": "0"}
                       ).get_data(as_text=True)
    assert "座位数：座位数应在 1 至 500 之间" in html or "请填写座位数" in html
    assert query_rows(engine, "SELECT count(*) FROM room")[0][0] == 1

    # edit: the form starts from the room; the change is saved and audited
    assert 'value="培训楼 302"' in client.get(f"/examiner/rooms/{room_id}/edit").get_data(as_text=True)
    resp = client.post(f"/examiner/rooms/{room_id}/edit", data={"csrf_token": token, "name": "第一考场",
                                                               "seats": "24", "location": "培训楼 305"})
    assert resp.status_code == 302
    assert query_rows(engine, "SELECT seats, location FROM room WHERE id = :i", i=room_id)[0] == (24, "培训楼 305")
    assert audit_details(engine, "room.update")[-1]["changes"] == {"seats": [30, 24], "location": ["培训楼 302", "培训楼 305"]}

    # deactivated: no longer offered for a new session; activated again: offered again
    html = client.post(f"/examiner/rooms/{room_id}/active", data={"csrf_token": token, "active": "0"},
                       follow_redirects=True).get_data(as_text=True)
    assert "考场 第一考场 已停用" in html and "已停用</span>" in html
    assert not query_rows(engine, "SELECT active FROM room WHERE id = :i", i=room_id)[0][0]
    assert "第一考场" not in client.get(NEW).get_data(as_text=True)
    client.post(f"/examiner/rooms/{room_id}/active", data={"csrf_token": token, "active": "0"})  # twice: one entry
    assert len(audit_details(engine, "room.deactivate")) == 1
    client.post(f"/examiner/rooms/{room_id}/active", data={"csrf_token": token, "active": "1"})
    assert "第一考场（24 座，培训楼 305）" in client.get(NEW).get_data(as_text=True)

    # a room a session used cannot be deleted (deactivate instead); an unused one can
    resp = create(client, name="用过考场的场次", opens=local_day(3, 9), closes=local_day(3, 11), rooms=[room_id],
                   candidates=[users["cand1"]])
    assert resp.status_code == 302, resp.get_data(as_text=True)
    resp = client.post(f"/examiner/rooms/{room_id}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "不能删除；如不再使用请停用" in resp.get_data(as_text=True)
    spare = new_room(engine, "备用考场", 5)
    client.post(f"/examiner/rooms/{spare}/delete", data={"csrf_token": token})
    assert query_rows(engine, "SELECT name FROM room ORDER BY id") == [("第一考场",)]
    assert audit_details(engine, "room.delete")[0]["name"] == "备用考场"


def test_a_room_cannot_lose_seats_a_coming_session_needs(examiner, engine, users):
    room_id = new_room(engine, "小考场", 3)
    resp = create(examiner, opens=local_day(2, 9), closes=local_day(2, 11), rooms=[room_id],
                   candidates=[users["cand1"], users["cand2"], users["cand3"]])
    assert resp.status_code == 302, resp.get_data(as_text=True)
    token = csrf_token(examiner, f"/examiner/rooms/{room_id}/edit")
    html = examiner.post(f"/examiner/rooms/{room_id}/edit", data={"csrf_token": token, "name": "小考场",
                                                                 "seats": "2"}).get_data(as_text=True)
    assert "座位数不能减少到 2" in html and "报名 3 人，改后其考场共 2 个座位，不够坐" in html
    assert query_rows(engine, "SELECT seats FROM room WHERE id = :i", i=room_id)[0][0] == 3
