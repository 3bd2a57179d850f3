"""A session's timeline: which steps, when, and when a reminder is moot."""

import datetime as dt

from exam.sessions.timeline import plan as tl
from exam.sessions.models import ExamSession
from exam.timeutil import UTC

T0 = dt.datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
H = dt.timedelta(hours=1)


def _session(**times) -> ExamSession:
    return ExamSession(id=7, name="场次", level="junior", opens_at=T0, closes_at=T0 + 2 * H,
                       duration_minutes=90, item_count=20, **times)


def test_one_window_opens_and_closes_every_part_after_two_reminders():
    steps = tl.timeline(_session())
    assert [(s.code, s.at) for s in steps] == [
        ("remind_24h", T0 - 24 * H), ("remind_30m", T0 - dt.timedelta(minutes=30)),
        ("theory_open", T0), ("theory_close", T0 + 2 * H)]
    assert tl.step(_session(), "theory_open").parts == ("theory", "typing", "practical")
    assert tl.step(_session(), "practical_open") is None


def test_a_separate_practical_window_and_a_publication_time_add_their_steps():
    session = _session(practical_opens_at=T0 + 5 * H, practical_closes_at=T0 + 7 * H,
                       results_publish_at=T0 + 48 * H)
    steps = {s.code: s for s in tl.timeline(session)}
    assert steps["theory_open"].parts == ("theory",) and steps["theory_close"].at == T0 + 2 * H
    assert steps["practical_open"].parts == ("typing", "practical")
    assert (steps["practical_open"].at, steps["practical_close"].at) == (T0 + 5 * H, T0 + 7 * H)
    assert steps["publish"].at == T0 + 48 * H and steps["publish"].action == tl.PUBLISH


def test_reminders_count_from_the_earlier_window():
    session = _session(practical_opens_at=T0 - 3 * H, practical_closes_at=T0 - H)
    assert tl.step(session, "remind_30m").at == T0 - 3 * H - dt.timedelta(minutes=30)


def test_no_publication_step_once_published_or_without_a_time():
    assert tl.step(_session(), "publish") is None
    published = _session(results_publish_at=T0 + 48 * H, results_published_at=T0 + 3 * H)
    assert tl.step(published, "publish") is None


def test_naive_times_are_taken_as_utc():
    session = _session()
    session.opens_at = T0.replace(tzinfo=None)
    assert tl.step(session, "theory_open").at == T0


def test_a_reminder_is_moot_once_the_session_started_or_the_next_reminder_is_due():
    session = _session()
    assert not tl.reminder_moot(session, "remind_24h", T0 - 20 * H)
    assert tl.reminder_moot(session, "remind_24h", T0 - dt.timedelta(minutes=10))   # the 30-minute one covers it
    assert not tl.reminder_moot(session, "remind_30m", T0 - dt.timedelta(minutes=10))
    assert tl.reminder_moot(session, "remind_30m", T0)


def test_every_step_code_is_a_marked_code_that_fits_the_marker_column():
    session = _session(practical_opens_at=T0 + 5 * H, practical_closes_at=T0 + 7 * H,
                       results_publish_at=T0 + 48 * H)
    codes = {s.code for s in tl.timeline(session)}
    assert codes == set(tl.MARKED)
    assert max(len(c) for c in codes) <= 32


def test_a_marker_counts_for_the_due_time_it_was_done_for():
    from exam.sessions.timeline import steps
    step = tl.step(_session(), "theory_open")
    assert steps.done_for({"due": steps.due_key(step)}, steps.due_key(step))
    later = _session()
    later.opens_at = T0 + H
    moved = tl.step(later, "theory_open")
    assert not steps.done_for({"due": steps.due_key(step)}, steps.due_key(moved))
    assert steps.done_for({}, steps.due_key(moved))  # a marker without a due time counts for any
    assert steps.due_at(tl.step(_session(), "theory_close"), dt.timedelta(seconds=15)) == \
        T0 + 2 * H + dt.timedelta(seconds=15)
