"""The baseline: a Flask endpoint that parses a JSON body and answers JSON, and nothing else."""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/api/attempts/<int:attempt_id>/answers")
def save(attempt_id: int):
    body = request.get_json(silent=True) or {}
    return jsonify(acked=[[s.get("position"), s.get("seq")] for s in body.get("saves", [])])
