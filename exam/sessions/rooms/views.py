"""Exam rooms (考场) and their seats: the examiner's list, add, edit, deactivate and delete. The
rules (seat range, unique names, seats not cut below a coming session's needs) are in
``exam.sessions.rooms.service``; this module only moves HTTP in and out."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from exam import web
from exam.db import write_session
from exam.sessions import managed
from exam.sessions.rooms import service as rooms
from exam.sessions.forms import RoomForm
from exam.sessions.rooms.service import RoomData, RoomError

bp = Blueprint("rooms", __name__, url_prefix="/examiner/rooms")

FIELD_LABELS = {"name": "名称", "seats": "座位数", "location": "位置"}


def _room_or_404(room_id: int):
    room = rooms.get(web.db(), room_id)
    if room is None:
        abort(404)
    return room


def _data(form: RoomForm) -> RoomData:
    return RoomData(name=form.name.data or "", seats=form.seats.data, location=form.location.data or "")


@bp.route("/")
@web.roles_required(*managed.MANAGER_ROLES)
def index():
    return render_template("rooms/index.html", rows=rooms.room_rows(web.db()))


@bp.route("/new", methods=["GET", "POST"])
@web.roles_required(*managed.MANAGER_ROLES)
def create():
    form = RoomForm()
    if form.validate_on_submit():
        try:
            with write_session(web.engine()) as db:
                name = rooms.create(db, _data(form), current_user.id).name
            flash(f"已添加考场 {name}")
            return redirect(url_for("rooms.index"))
        except RoomError as exc:
            form.form_errors.append(str(exc))
    return render_template("rooms/form.html", form=form, room=None)


@bp.route("/<int:room_id>/edit", methods=["GET", "POST"])
@web.roles_required(*managed.MANAGER_ROLES)
def edit(room_id: int):
    room = _room_or_404(room_id)
    form = RoomForm(obj=room) if request.method == "GET" else RoomForm()
    if form.validate_on_submit():
        try:
            with write_session(web.engine()) as db:
                changes = rooms.update(db, rooms.get(db, room_id), _data(form), current_user.id, web.now())
            flash("已保存考场修改：" + "、".join(FIELD_LABELS[f] for f in changes) if changes else "没有需要保存的修改")
            return redirect(url_for("rooms.index"))
        except RoomError as exc:
            form.form_errors.append(str(exc))
    return render_template("rooms/form.html", form=form, room=room)


@bp.route("/<int:room_id>/active", methods=["POST"])
@web.roles_required(*managed.MANAGER_ROLES)
def set_active(room_id: int):
    room = _room_or_404(room_id)
    active = request.form.get("active") == "1"
    with write_session(web.engine()) as db:
        changed = rooms.set_active(db, rooms.get(db, room_id), active, current_user.id)
    if changed:
        flash(f"考场 {room.name} 已{'启用' if active else '停用'}"
              + ("" if active else "；已安排的场次不受影响，新场次不再提供此考场"))
    return redirect(url_for("rooms.index"))


@bp.route("/<int:room_id>/delete", methods=["POST"])
@web.roles_required(*managed.MANAGER_ROLES)
def delete(room_id: int):
    room = _room_or_404(room_id)
    try:
        with write_session(web.engine()) as db:
            rooms.delete(db, rooms.get(db, room_id), current_user.id)
        flash(f"已删除考场 {room.name}")
    except RoomError as exc:
        flash(str(exc), "error")
    return redirect(url_for("rooms.index"))
