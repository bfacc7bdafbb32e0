"""Grade every hostile submission in this folder and hold the grader to its ``expected.yaml``.

A case runs at level ``process`` and at the strongest level this machine has
(``levels: both``, the default), at the strongest only (``best``), or at
every level (``all``, the default for cases with a ``claim`` or
``requires``).  A level this machine lacks is skipped with the probe's
reason.  Outcomes that depend on isolation (a ``claim``) are asserted only
at levels whose report lists that attack as prevented.  At the others the
grader must still finish in time and exit normally.

``expected.yaml`` keys:

- ``summary``: what the submission does;
- ``expect``: per exercise, a status, a list of statuses, ``any``, or a
  mapping with ``default`` and per-check entries (exercises not listed must
  pass);
- ``messages``: per exercise, text that each of its checks that did not
  pass must contain;
- ``bound``: the most seconds grading may take;
- ``claim`` and ``requires``: protection keys from
  ``grader.sandbox.levels.PROTECTIONS``;
- ``tamper``, ``network``, ``settle`` (seconds to wait before looking for
  late changes), ``levels``, ``group`` and ``alone``.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from hostile_harness import checkout_unchanged, SECRET, Case, Run, all_cases, run_case, run_group, strongest_level
from grader.sandbox import levels

CASES = all_cases()
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: The longest ``output`` a check may carry: the runner's cap plus its truncation note.
MAX_OUTPUT_CHARS = 4200
#: Maximum wall time of a grouped run, in seconds, whatever its cases' bounds add up to.
GROUP_BOUND = 150


def _levels(choice: str) -> list[str]:
    best = strongest_level()
    if choice == "all":
        return list(levels.LEVELS)
    if choice == "best":
        return [best]
    return sorted({"process", best})


def _solo_parameters() -> list:
    return [
        pytest.param(case, level, id=f"{case.name}-{level}")
        for case in CASES
        if case.group is None
        for level in _levels(case.level_choice)
    ]


def _group_parameters() -> list:
    groups: dict[str, list[Case]] = defaultdict(list)
    for case in CASES:
        if case.group is not None:
            groups[case.group].append(case)
    parameters = []
    for name, members in sorted(groups.items()):
        choice = "best" if all(case.levels == "best" for case in members) else "both"
        parameters += [pytest.param(members, level, id=f"{name}-{level}") for level in _levels(choice)]
    return parameters


def _isolation(level: str) -> levels.Isolation:
    problem = levels.probe(level)
    if problem is not None:
        pytest.skip(f"isolation level {level} is unavailable here: {problem}")
    return levels.resolve(level)


def _holds(isolation: levels.Isolation, key: str) -> bool:
    return isolation.holds(next(p for p in levels.PROTECTIONS if p.key == key))


def test_cases_are_well_formed() -> None:
    keys = {p.key for p in levels.PROTECTIONS}
    assert len(CASES) >= 25
    for case in CASES:
        assert case.summary, case.name
        assert {case.claim, *case.requires} - {None} <= keys, case.name
        assert not (case.group and (case.alone or case.claim or case.requires or case.tamper)), case.name
        if case.group:
            assert [p.name for p in case.folder.iterdir() if p.is_dir()] == ["stable_sigmoid"], case.name


@pytest.mark.parametrize(("case", "level"), _solo_parameters())
def test_hostile_submission(case: Case, level: str, tmp_path) -> None:
    isolation = _isolation(level)
    for key in case.requires:
        if not _holds(isolation, key):
            pytest.skip(f"level {level} does not prevent {key!r} here, so this case could harm the machine")

    run = run_case(case, level, tmp_path)

    _assert_finished(run, case.bound)
    _assert_report_is_clean(run)
    claimed = case.claim is None or _holds(isolation, case.claim)
    if claimed:
        assert run.report.get("grader_version"), "the report is missing or not the grader's"
        assert not _problems(case, run, {name: name for name in ("stable_sigmoid", "batched_forward")})
    if _holds(isolation, "read_only"):
        assert run.after == run.before, f"{case.name} changed files outside its scratch folder"
    if _holds(isolation, "leftover_processes"):
        assert run.report_later == run.report_text, "the report changed after the grader exited"
    if _holds(isolation, "network"):
        assert run.connections == [], f"{case.name} reached a server on 127.0.0.1"
    if _holds(isolation, "grader_process"):
        assert SECRET not in run.report_text, "the submission found the grader's environment"
    assert f"inherited {SECRET}" not in run.report_text, "the worker inherited the grader's environment"


@pytest.mark.parametrize(("cases", "level"), _group_parameters())
def test_hostile_group(cases: list[Case], level: str, tmp_path) -> None:
    _isolation(level)

    run = run_group(cases, level, tmp_path)

    _assert_finished(run, GROUP_BOUND)
    _assert_report_is_clean(run)
    assert run.report.get("grader_version"), "the report is missing or not the grader's"
    assert run.after == run.before, "a grouped case changed files outside its scratch folder"
    problems = []
    for case in cases:
        problems += _problems(case, run, {case.name: "stable_sigmoid", "batched_forward": "batched_forward"})
        seconds = sum(check["seconds"] for check in run.exercise(case.name)["checks"])
        if seconds >= case.bound:
            problems.append(f"{case.name}: its checks took {seconds:.1f} s, over the bound of {case.bound:g} s")
    assert not problems, "\n".join(problems)


def _assert_finished(run: Run, bound: float) -> None:
    assert run.returncode == 0, f"the grader exited with {run.returncode}:\n{run.stderr[-3000:]}"
    assert run.seconds < bound, f"grading took {run.seconds:.1f} s, over the bound of {bound:g} s"
    assert "Total:" in run.stdout, run.stdout[-2000:]


def _assert_report_is_clean(run: Run) -> None:
    assert not CONTROL.search(run.stdout.replace("\n", "")), "the terminal summary holds control characters"
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    if not run.report.get("grader_version"):
        return
    assert run.report["isolation"]["level"] == run.level
    for exercise, check in run.checks():
        where = f"{exercise}.{check['name']}"
        if check["status"] != "passed":
            assert check["score"] == 0, f"{where} is {check['status']} but scored {check['score']}"
            assert check["message"].strip(), f"{where} is {check['status']} without a message"
        assert check["status"] != "grader_error", f"{where}: {check['message']}\n{check.get('staff_detail')}"
        assert len(check["output"] or "") <= MAX_OUTPUT_CHARS, f"{where} kept {len(check['output'])} characters of output"
    assert len(run.report_text) < 2**20, "the report grew past 1 MiB"
    headings = [line for line in _outside_code(run.markdown) if line.startswith(("# ", "**Score:"))]
    assert len(headings) == 2, f"the Markdown report has extra headings or scores: {headings}"


def _outside_code(markdown: str) -> list[str]:
    """Return the lines of ``markdown`` outside fenced code blocks."""
    lines, fence = [], None
    for line in markdown.splitlines():
        run = re.match(r"`{3,}", line)
        if fence is None and run:
            fence = run.group()
        elif fence is not None and run and line.strip() == "`" * len(line.strip()) and len(line.strip()) >= len(fence):
            fence = None
        elif fence is None:
            lines.append(line)
    return lines


def _problems(case: Case, run: Run, exercises: dict[str, str]) -> list[str]:
    """Compare the outcomes of ``exercises`` (report name to the name ``expect`` uses) with the case."""
    problems = []
    for exercise, check in run.checks():
        if exercise not in exercises:
            continue
        logical = exercises[exercise]
        allowed = case.allowed(logical, check["name"])
        where = f"{case.name}: {exercise}.{check['name']}"
        if allowed is not None and check["status"] not in allowed:
            problems.append(f"{where} is {check['status']} ({check['message'][:200]}), expected {allowed}")
        expected_text = case.messages.get(logical)
        if expected_text and check["status"] != "passed" and expected_text not in check["message"]:
            problems.append(f"{where}: message {check['message'][:300]!r} lacks {expected_text!r}")
    return problems
