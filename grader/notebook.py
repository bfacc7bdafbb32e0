"""Reading a Jupyter notebook into the Python source of its code cells.

The grader reads the notebook (with nbformat) and decides what to run; the
worker only executes the cell sources it is sent.  IPython syntax that plain
Python cannot run is skipped here and listed, so that the report can show
the student which lines did not run:

- line magics (``%matplotlib inline``, ``x = %timeit -o f()``),
- shell escapes (``!pip install numpy``, ``files = !ls``),
- help requests (``np.dot?``),
- cell magics.  ``%%time`` and ``%%capture`` run their body as Python, as
  IPython does.  Any other (``%%timeit``, ``%%bash``, ``%%writefile``, ...)
  skips the whole cell, because its body is not Python that IPython runs in
  the notebook's namespace.

Cells are numbered from 1 in notebook order, counting Markdown and raw cells,
so that "cell 7" is the seventh cell a student sees.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

#: Cell magics whose body is Python run in the notebook's own namespace.
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "capture"})

_ASSIGNED_ESCAPE = re.compile(r"^(?P<indent>\s*)(?P<target>[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*(?P<escape>[%!].*)$")


class NotebookError(Exception):
    """The notebook cannot be read.  The message gives the reason and the fix, without the file name."""


@dataclass(frozen=True)
class SkippedLine:
    """A line of IPython syntax that the grader did not run."""

    cell: int
    line: int
    kind: str  # "magic", "cell magic", "shell" or "help"
    text: str


@dataclass(frozen=True)
class CodeCell:
    number: int
    #: The source to run, with IPython-only lines made inert.
    source: str
    #: The first non-blank line as the student wrote it, to help them find the cell.
    preview: str = ""


def first_line(source: str) -> str:
    """Return the first non-blank line of ``source``, stripped and cut to 80 characters."""
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:80]
    return ""


@dataclass(frozen=True)
class Notebook:
    """The runnable code cells of a notebook, plus what was skipped and why."""

    cells: tuple[CodeCell, ...]
    skipped: tuple[SkippedLine, ...]
    #: Problems that did not stop grading, such as a cell lacking a field the schema requires.
    warnings: tuple[str, ...] = ()


def read_notebook(path: Path) -> Notebook:
    """Read the notebook at ``path``; raises NotebookError when it is not a usable nbformat 4 notebook."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise NotebookError(f"the file is not UTF-8 text ({error.reason} at byte {error.start}), so it is not a notebook") from None
    except OSError as error:
        raise NotebookError(f"the file cannot be read ({error.strerror})") from None
    _check_layout(text)

    import nbformat  # imported here because it takes about 0.3 s and only notebooks need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=4)
    except Exception as error:  # noqa: BLE001 - nbformat raises many types for broken files
        raise NotebookError(f"nbformat rejected it: {_first_line(error)}") from None

    problems = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        problems.append(f"the notebook does not fully match the nbformat schema ({_first_line(error)}); it was graded anyway")

    cells: list[CodeCell] = []
    skipped: list[SkippedLine] = []
    for index, cell in enumerate(notebook.cells):
        if cell.get("cell_type") != "code":
            continue
        number = index + 1
        original = str(cell.get("source", ""))
        source = strip_ipython(number, original, skipped)
        if source.strip():
            cells.append(CodeCell(number, source, first_line(original)))
    return Notebook(tuple(cells), tuple(skipped), tuple(problems))


def _check_layout(text: str) -> None:
    """Raise NotebookError unless ``text`` is JSON shaped like an nbformat 4 notebook."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(
            f"invalid JSON at line {error.lineno}, column {error.colno} ({error.msg}); "
            "save the notebook again from Jupyter, or check that the upload finished"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError("the JSON has no list of cells, so it is not a Jupyter notebook")
    version = data.get("nbformat")
    if version != 4 or isinstance(version, bool):
        raise NotebookError(
            f"notebook format version {version!r} is not supported; the grader reads nbformat 4 "
            "(any minor version), which Jupyter has written since 2015"
        )
    for index, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or not isinstance(cell.get("source", ""), (str, list)):
            raise NotebookError(f"cell {index + 1} has no readable source")


def strip_ipython(number: int, source: str, skipped: list[SkippedLine]) -> str:
    """Return ``source`` with IPython-only lines made inert, appending each one to ``skipped``.

    A cell that already parses as Python is returned unchanged, so a ``%`` or
    ``?`` inside a string is never touched.  Replaced lines become ``pass`` (or
    ``name = None`` for an assignment) at the same indentation, which keeps
    line numbers in tracebacks right.
    """
    lines = source.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].strip()
        skipped.append(SkippedLine(number, first + 1, "cell magic", magic))
        name = magic[2:].split(maxsplit=1)[0] if len(magic) > 2 else ""
        if name not in PYTHON_BODY_CELL_MAGICS:
            return ""
        lines[first] = ""
        source = "\n".join(lines)

    try:
        ast.parse(source)
        return source
    except SyntaxError:
        pass

    for index, line in enumerate(lines):
        replacement = _replace_escape(line)
        if replacement is not None:
            kind, new_line = replacement
            skipped.append(SkippedLine(number, index + 1, kind, line.strip()))
            lines[index] = new_line
    return "\n".join(lines)


def _replace_escape(line: str) -> tuple[str, str] | None:
    stripped = line.strip()
    indent = line[: len(line) - len(line.lstrip())]
    if not stripped or stripped.startswith("#"):
        return None
    if stripped.startswith("%"):
        return "magic", indent + "pass"
    if stripped.startswith("!"):
        return "shell", indent + "pass"
    if stripped.startswith("?") or (stripped.endswith("?") and not stripped.startswith(("'", '"'))):
        return "help", indent + "pass"
    assigned = _ASSIGNED_ESCAPE.match(line)
    if assigned:
        kind = "magic" if assigned["escape"].startswith("%") else "shell"
        return kind, f"{assigned['indent']}{assigned['target']} = None"
    return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else type(error).__name__
