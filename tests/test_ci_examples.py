"""The GitHub Actions example: a valid workflow whose grader command the CLI accepts."""

import shlex

import yaml
from conftest import REPOSITORY

from grader.cli import build_parser

WORKFLOW = REPOSITORY / "examples" / "ci" / "github" / "autograde.yml"


def test_workflow_is_valid_yaml_with_one_job():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow["name"] == "Autograde"
    assert list(workflow["jobs"]) == ["grade"]
    steps = workflow["jobs"]["grade"]["steps"]
    assert all("uses" in step or "run" in step for step in steps)
    assert steps[-1]["if"] == "always()"


def test_workflow_grader_command_parses():
    steps = yaml.safe_load(WORKFLOW.read_text())["jobs"]["grade"]["steps"]
    commands = [step["run"] for step in steps if "run" in step and step["run"].startswith("grader run")]
    assert len(commands) == 1
    words = shlex.split(commands[0].replace("$SUBMISSION", "homework.ipynb"))
    arguments = build_parser().parse_args(words[1:])
    assert str(arguments.submission) == "submission/homework.ipynb"
    assert str(arguments.junit) == "results/junit.xml"
    assert str(arguments.plots) == "results/plots"
