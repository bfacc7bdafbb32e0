"""Reading notebooks: IPython syntax is skipped and listed, broken files get clear errors."""

import json

import pytest
from conftest import write_notebook

from grader.notebook import NotebookError, read_notebook, strip_ipython


def strip(source: str) -> tuple[str, list]:
    skipped: list = []
    return strip_ipython(3, source, skipped), skipped


def test_line_magic_becomes_pass_at_same_indent():
    source, skipped = strip("import numpy as np\n%matplotlib inline\nfor i in range(2):\n    %time f(i)\nx = 1")
    assert source.splitlines() == ["import numpy as np", "pass", "for i in range(2):", "    pass", "x = 1"]
    assert [(s.cell, s.line, s.kind, s.text) for s in skipped] == [(3, 2, "magic", "%matplotlib inline"), (3, 4, "magic", "%time f(i)")]


def test_shell_escape_and_help_are_skipped():
    source, skipped = strip("!pip install numpy\nnp.dot?\n?np.sum\ny = 2")
    assert source.splitlines() == ["pass", "pass", "pass", "y = 2"]
    assert [s.kind for s in skipped] == ["shell", "help", "help"]


def test_assigned_magic_keeps_the_name():
    source, skipped = strip("result = %timeit -o f()\nfiles = !ls\nprint(result)")
    assert source.splitlines() == ["result = None", "files = None", "print(result)"]
    assert [s.kind for s in skipped] == ["magic", "shell"]


def test_valid_python_is_never_changed():
    text = 'print("100%")\nrate = 5 % 3\ndoc = """\n%not a magic\n!nor a shell\n"""'
    source, skipped = strip(text)
    assert source == text
    assert skipped == []


def test_time_cell_magic_runs_its_body():
    source, skipped = strip("%%time\ndef forward(X):\n    return X")
    assert "def forward(X):" in source
    assert source.splitlines()[0] == ""
    assert [(s.kind, s.text) for s in skipped] == [("cell magic", "%%time")]


@pytest.mark.parametrize("magic", ["%%timeit", "%%bash", "%%writefile helper.py", "%%html"])
def test_other_cell_magics_skip_the_cell(magic):
    source, skipped = strip(f"{magic}\nsome body")
    assert source == ""
    assert skipped[0].text == magic


def test_cells_numbered_counting_markdown(tmp_path):
    path = write_notebook(tmp_path / "n.ipynb", [("markdown", "# Title"), "x = 1", ("markdown", "text"), "y = x + 1"])
    notebook = read_notebook(path)
    assert [(cell.number, cell.source) for cell in notebook.cells] == [(2, "x = 1"), (4, "y = x + 1")]


def test_preview_shows_original_line(tmp_path):
    path = write_notebook(tmp_path / "n.ipynb", ["\n!pip install numpy\nx = 1"])
    assert read_notebook(path).cells[0].preview == "!pip install numpy"


@pytest.mark.parametrize("minor", [0, 1, 2, 3, 4, 5, 9])
def test_every_nbformat_4_minor_is_read(tmp_path, minor):
    path = tmp_path / "n.ipynb"
    cell = {"cell_type": "code", "source": ["x = 1\n", "y = 2"], "metadata": {}, "outputs": [], "execution_count": None}
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": minor, "metadata": {}, "cells": [cell]}))
    assert [cell.source for cell in read_notebook(path).cells] == ["x = 1\ny = 2"]


def test_invalid_json_names_line_and_column(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_text('{\n  "cells": [\n    {"source": "x"\n')
    with pytest.raises(NotebookError) as raised:
        read_notebook(path)
    assert str(raised.value).startswith("invalid JSON at line 4, column 1")
    assert "save the notebook again from Jupyter" in str(raised.value)


@pytest.mark.parametrize("version", [3, 5, "4", None])
def test_other_format_version_is_rejected(tmp_path, version):
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps({"nbformat": version, "nbformat_minor": 0, "metadata": {}, "cells": []}))
    with pytest.raises(NotebookError) as raised:
        read_notebook(path)
    assert str(raised.value) == (
        f"notebook format version {version!r} is not supported; the grader reads nbformat 4 "
        "(any minor version), which Jupyter has written since 2015"
    )


@pytest.mark.parametrize(
    "content, message",
    [
        ("[1, 2]", "the JSON has no list of cells, so it is not a Jupyter notebook"),
        ('{"nbformat": 4, "cells": 3}', "the JSON has no list of cells, so it is not a Jupyter notebook"),
        ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": 7}]}', "cell 1 has no readable source"),
    ],
)
def test_json_that_is_no_notebook_is_rejected(tmp_path, content, message):
    path = tmp_path / "n.ipynb"
    path.write_text(content)
    with pytest.raises(NotebookError) as raised:
        read_notebook(path)
    assert str(raised.value) == message


def test_binary_file_is_rejected(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(NotebookError, match="not UTF-8 text"):
        read_notebook(path)


def test_schema_mismatch_is_graded_with_warning(tmp_path):
    path = tmp_path / "n.ipynb"
    cell = {"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": [], "execution_count": None, "extra": 1}
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [cell]}))
    notebook = read_notebook(path)
    assert [cell.source for cell in notebook.cells] == ["x = 1"]
    assert len(notebook.warnings) == 1
    assert notebook.warnings[0].startswith("the notebook does not fully match the nbformat schema")
