"""The worker's run_cells and lookup requests, against a real worker process."""

import pytest

from grader.sandbox.client import WorkerClient


@pytest.fixture
def worker(tmp_path):
    client = WorkerClient(scratch=tmp_path / "scratch")
    yield client
    client.close()


def test_cells_run_in_one_namespace_in_order(worker):
    reply = worker.run_cells("nb", [(1, "x = 2"), (2, "def f(a):\n    return a * x"), (4, "y = f(3)")], cell_timeout=5, timeout=30)
    assert [(cell.number, cell.status) for cell in reply.cells] == [(1, "ok"), (2, "ok"), (4, "ok")]
    assert worker.call("nb", "f", (5,), timeout=5).value == 10


def test_raising_cell_is_reported_and_next_cells_run(worker):
    cells = [(1, "a = 1"), (2, "b = 1\n\nb / 0"), (3, "def g():\n    return a + 1")]
    reply = worker.run_cells("nb", cells, cell_timeout=5, timeout=30)
    failed = reply.cells[1]
    assert (failed.number, failed.status, failed.error_type, failed.message) == (2, "raised", "ZeroDivisionError", "division by zero")
    assert 'File "<cell 2>", line 3, in <module>' in failed.traceback
    assert "b / 0" in failed.traceback
    assert reply.cells[2].status == "ok"
    assert worker.call("nb", "g", timeout=5).value == 2


def test_syntax_error_and_exit_are_cell_errors(worker):
    reply = worker.run_cells("nb", [(1, "def broken(:\n    pass"), (2, "raise SystemExit(3)"), (3, "ok = True")], cell_timeout=5, timeout=30)
    assert [(cell.status, cell.error_type) for cell in reply.cells] == [("raised", "SyntaxError"), ("raised", "SystemExit"), ("ok", "")]
    assert "<cell 1>" in reply.cells[0].message


def test_endless_cell_is_interrupted(worker):
    reply = worker.run_cells("nb", [(1, "while True:\n    pass"), (2, "def h():\n    return 7")], cell_timeout=0.5, timeout=30)
    assert [cell.status for cell in reply.cells] == ["timeout", "ok"]
    assert worker.call("nb", "h", timeout=5).value == 7


def test_plots_use_agg_and_never_block(worker):
    source = (
        "import matplotlib\nimport matplotlib.pyplot as plt\n"
        "plt.plot([1, 2])\nplt.show()\nbackend = matplotlib.get_backend()\n"
        "def backend_name():\n    return backend"
    )
    reply = worker.run_cells("nb", [(1, source)], cell_timeout=20, timeout=60)
    assert reply.cells[0].status == "ok"
    assert worker.call("nb", "backend_name", timeout=5).value.lower() == "agg"


def test_cells_run_again_after_restart(worker):
    worker.run_cells("nb", [(1, "def k():\n    return 'back'")], cell_timeout=5, timeout=30)
    worker.kill()
    assert worker.call("nb", "k", timeout=10).value == "back"


def test_lookup_tells_functions_from_other_names(worker):
    worker.run_cells("nb", [(1, "def f():\n    pass\nvalue = 3")], cell_timeout=5, timeout=30)
    assert worker.lookup("nb", ["f", "value", "absent"]) == {"f": "callable", "value": "not_callable", "absent": "missing"}
