# The two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: run test venv fonts system-deps bench bench-bank bench-typing bench-proctor bench-rosters bench-papers bench-certificates bench-verify bench-start bench-sessions exam-day crash clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: $(BIN)/.installed

## run: migrate, create the signing keys (once), load demo data and serve on http://127.0.0.1:$${PORT:-5000} (DATABASE_URL overrides the SQLite default)
run: venv fonts
	$(BIN)/callexam db upgrade
	$(BIN)/callexam keys init
	$(BIN)/callexam demo load
	$(BIN)/callexam serve

system-deps:
	./scripts/install-system-deps.sh

## fonts: the TrueType fonts certificates and admission tickets embed (Zen Hei, HanaMin), if missing
fonts:
	./scripts/install-system-deps.sh --fonts

# The suite runs on PYTEST_WORKERS pytest-xdist workers, one per CPU by default (tests/conftest.py
# keeps each worker's databases, PostgreSQL cluster and servers apart). PYTEST_WORKERS=0 runs it in
# one process; PYTEST_ARGS adds pytest arguments (a path, -k, -m …) either way.
PYTEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
PYTEST_XDIST ?= -n $(PYTEST_WORKERS) --dist loadgroup

## test: install Chromium and PostgreSQL if missing, check the layers (import-linter contracts in pyproject.toml), then run the whole suite (unit, integration, browser) on one pytest-xdist worker per CPU
test: venv system-deps
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

## bench-certificates: QR token + render + PAdES signature per certificate, against rendering alone
bench-certificates: venv
	$(BIN)/python benchmarks/certificates.py | tee benchmarks/results/certificates.txt

## bench-verify: verifying a PDF, a badge with its status list and a photo against the QR token alone; a 2,000-row bulk list
bench-verify: venv
	$(BIN)/python benchmarks/cert_verify.py | tee benchmarks/results/cert_verify.txt

## bench-bank: the item checker on the shipped bank against reading the files; enemy-aware draws against plain draws
bench-bank: venv
	$(BIN)/python benchmarks/bank_lint.py | tee benchmarks/results/bank_lint.txt

## bench-typing: scoring a 3,000-character typing passage against rapidfuzz's alignment alone; a typing autosave (growth log and checks) against a theory autosave
bench-typing: venv
	$(BIN)/python benchmarks/typing_scoring.py | tee benchmarks/results/typing_scoring.txt
	$(BIN)/python benchmarks/typing_save.py | tee benchmarks/results/typing_save.txt

## bench-proctor: one poll of the live proctoring board at 50 and 500 seats against one enrolment SELECT
bench-proctor: venv
	$(BIN)/python benchmarks/proctor_board.py --out benchmarks/results/proctor_board_sqlite.txt

## bench-rosters: a 1,000-row roster preview and import (both sign-in modes) and the session's admission tickets
bench-rosters: venv
	$(BIN)/python benchmarks/roster_import.py --rows 1000 --out benchmarks/results/roster_import.txt

## bench-papers: a 30-seat room's sign-in sheet, seat plan and room report against its admission tickets
bench-papers: venv
	$(BIN)/python benchmarks/room_papers.py | tee benchmarks/results/room_papers.txt

## bench-sessions: what loading the server-side session costs a signed-in request (memo on and off) against an anonymous one
bench-sessions: venv
	$(BIN)/python benchmarks/signed_in_request.py | tee benchmarks/results/signed_in_request.txt

## bench: autosave throughput against bare Flask on the same WSGI server (needs wrk); what the live-page check costs a save
bench: venv
	./scripts/install-system-deps.sh wrk
	$(BIN)/python benchmarks/autosave_vs_flask.py
	$(BIN)/python benchmarks/live_page_save.py | tee benchmarks/results/live_page_save.txt

## bench-start: issue 23's start storm — app (and PostgreSQL) CPU per attempt start and per save against bare Flask; in-process profile of a start
bench-start: venv
	$(BIN)/python benchmarks/start_storm.py --candidates 158 --saves 5 --targets bare,sqlite --out benchmarks/results/start_storm_sqlite.txt
	$(BIN)/python benchmarks/start_storm.py --candidates 158 --saves 5 --targets postgresql --out benchmarks/results/start_storm_postgresql.txt
	$(BIN)/python benchmarks/start_profile.py --top 0 --statements && $(BIN)/python benchmarks/start_profile.py --postgres --top 0 --statements

## exam-day: 5,000 simulated candidates through sign-in, start storm, steady autosave and deadline
exam-day: venv
	$(BIN)/python benchmarks/exam_day.py --signin-window 120 --steady-seconds 90

## crash: SIGKILL the server mid-exam ten times; nothing acknowledged may be lost
crash: venv
	$(BIN)/python benchmarks/crash_durability.py --cycles 10

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
