"""The baseline: Flask endpoints that do the HTTP part of callexam's and nothing else.

The save parses a JSON body and answers JSON. The three requests of a start (``start_storm.py``)
answer a small start page, a 302 after reading the form, and a page of ``PAPER_BYTES`` held in memory
(the size of callexam's 82-question paper page), so the baseline ships the same bytes."""

import json

from flask import Flask, jsonify, redirect, request

app = Flask(__name__)

PAPER_BYTES = 118_000
_HOME = '<!doctype html><meta name="csrf-token" content="bare"><title>我的考试</title><p>可开始</p>'
_QUESTIONS = "".join(f'<article class="question" id="q{n}" data-position="{n}" data-kind="truefalse"></article>'
                     for n in range(82))


def _paper(attempt_id: int) -> str:
    state = json.dumps({"attemptId": attempt_id, "saveUrl": f"/api/attempts/{attempt_id}/answers", "saved": {}})
    head = f'<!doctype html><meta name="csrf-token" content="bare"><title>试卷</title>{_QUESTIONS}'
    tail = f'<script type="application/json" id="exam-state">{state}</script>'
    return head + "<p>" + "题" * ((PAPER_BYTES - len(head.encode()) - len(tail)) // 3) + "</p>" + tail


@app.post("/api/attempts/<int:attempt_id>/answers")
def save(attempt_id: int):
    body = request.get_json(silent=True) or {}
    return jsonify(acked=[[s.get("position"), s.get("seq")] for s in body.get("saves", [])])


@app.get("/candidate")
def home():
    return _HOME


@app.get("/candidate/sessions/<int:session_id>/<part>/begin")
def begin(session_id: int, part: str):
    return _HOME


@app.post("/candidate/sessions/<int:session_id>/start")
def start(session_id: int):
    request.form.get("csrf_token")
    return redirect(f"/candidate/attempts/{session_id}")


@app.get("/candidate/attempts/<int:attempt_id>")
def paper(attempt_id: int):
    return _paper(attempt_id)


@app.get("/login")
def login_form():
    return _HOME


@app.post("/login")
def login():
    request.form.get("username")
    return redirect("/candidate")


@app.get("/healthz")
def healthz():
    return "ok"
