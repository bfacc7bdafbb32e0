"""JUnit XML: the structure Jenkins and GitLab read, checked strictly, and read back by junitparser."""

import datetime
import xml.etree.ElementTree as ET

import junitparser
from conftest import sample_report

from grader.report import junit

#: Attributes each element must have, and the only ones it may have.
REQUIRED = {
    "testsuites": {"name", "tests", "failures", "errors", "skipped", "time"},
    "testsuite": {"name", "tests", "failures", "errors", "skipped", "time", "timestamp", "hostname"},
    "properties": set(),
    "property": {"name", "value"},
    "testcase": {"name", "classname", "time"},
    "failure": {"message", "type"},
    "error": {"message", "type"},
    "skipped": set(),
    "system-out": set(),
}
ALLOWED = dict(REQUIRED, skipped={"message"})
#: Child elements each element may contain, in this order.
CHILDREN = {
    "testsuites": ["testsuite"],
    "testsuite": ["properties", "testcase", "system-out", "system-err"],
    "properties": ["property"],
    "testcase": ["skipped", "error", "failure", "system-out", "system-err"],
}
RESULTS = ("skipped", "error", "failure")


def validate(root: ET.Element) -> None:
    """Raise AssertionError when the document breaks the JUnit layout described above."""
    for element in root.iter():
        assert element.tag in REQUIRED, f"unknown element <{element.tag}>"
        missing = REQUIRED[element.tag] - set(element.attrib)
        assert not missing, f"<{element.tag}> lacks {missing}"
        extra = set(element.attrib) - ALLOWED[element.tag]
        assert not extra, f"<{element.tag}> has unknown attributes {extra}"
        order = CHILDREN.get(element.tag, [])
        positions = [order.index(child.tag) if child.tag in order else -1 for child in element]
        assert -1 not in positions, f"<{element.tag}> contains {[child.tag for child in element]}"
        assert positions == sorted(positions), f"children of <{element.tag}> are out of order"
        if element.tag == "testcase":
            assert sum(child.tag in RESULTS for child in element) <= 1
        for name in ("tests", "failures", "errors", "skipped"):
            if name in element.attrib:
                assert int(element.attrib[name]) >= 0
        if "time" in element.attrib:
            assert float(element.attrib["time"]) >= 0
        if "timestamp" in element.attrib:
            datetime.datetime.fromisoformat(element.attrib["timestamp"])

    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        for tag, attribute in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            assert int(suite.get(attribute)) == sum(case.find(tag) is not None for case in cases)
    for attribute in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(attribute)) == sum(int(suite.get(attribute)) for suite in root.iter("testsuite"))


def test_report_is_valid_junit(tmp_path):
    path = tmp_path / "junit.xml"
    junit.write(sample_report(), path)
    root = ET.parse(path).getroot()
    validate(root)
    assert [suite.get("name") for suite in root] == ["stable_sigmoid", "batched_forward"]
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("8", "4", "1", "1")


def test_statuses_map_to_junit_results(tmp_path):
    root = ET.fromstring(junit.render(sample_report()))
    results = {case.get("name"): (case[0].tag if case[0].tag in RESULTS else "passed") for case in root.iter("testcase")}
    assert results == {
        "passes": "passed", "fails": "failure", "raises": "failure", "hidden_one": "passed",
        "slow": "failure", "todo": "failure", "needs_reference": "skipped", "crashes_grader": "error",
    }
    failure = root.find(".//testcase[@name='fails']/failure")
    assert failure.get("message") == "fails went wrong"
    assert failure.get("type") == "failed"
    assert "expected: shape (3,)\nfound: shape (1, 3)\ninput: z = array([1., 2., 3.])\nhint: Check the axis." in failure.text


def test_hostile_text_stays_well_formed():
    root = ET.fromstring(junit.render(sample_report()))
    failure = root.find(".//testcase[@name='raises']/failure")
    assert failure.get("message") == 'sigmoid raised ValueError: bad <value> & "quotes"'
    assert "printed \ufffd NUL, \ufffd[31mcolour" in failure.text
    assert "\ufffd a lone surrogate" in failure.text


def test_scores_are_in_properties_and_output():
    root = ET.fromstring(junit.render(sample_report()))
    suite = root.find("testsuite[@name='stable_sigmoid']")
    properties = {item.get("name"): item.get("value") for item in suite.iter("property")}
    assert properties == {"title": "Numerically stable sigmoid", "score": "4", "max_score": "8", "submission": "/tmp/class/alice.ipynb"}
    assert suite.find("testcase[@name='passes']/system-out").text.startswith("score: 2 / 2 (PASS)")


def test_junitparser_reads_it_back(tmp_path):
    path = tmp_path / "junit.xml"
    junit.write_many([("alice", sample_report("alice")), ("bob", sample_report("bob"))], path)
    validate(ET.parse(path).getroot())
    document = junitparser.JUnitXml.fromfile(str(path))
    suites = list(document)
    assert [suite.name for suite in suites] == ["alice.stable_sigmoid", "alice.batched_forward", "bob.stable_sigmoid", "bob.batched_forward"]
    assert (document.tests, document.failures, document.errors, document.skipped) == (16, 8, 2, 2)
    cases = {case.name: case for case in suites[0]}
    assert [type(result).__name__ for result in cases["fails"].result] == ["Failure"]
    assert cases["passes"].is_passed
