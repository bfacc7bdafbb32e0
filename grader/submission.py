"""Finding a student's code: a folder laid out like ``exercises/``, one ``.py`` file, or a notebook.

- A *tree* has one subfolder per exercise with the module named in its
  exercise.yaml.  A folder with the modules side by side, as students often
  upload them, works too.  Each module is loaded into a namespace of its own.
- A *file* is one ``.py`` that defines some or all exercise functions; it is
  loaded once, and every exercise takes its functions by name from it.
- A *notebook* is an ``.ipynb`` whose code cells run in order in one
  namespace, from which every exercise takes its functions by name.

Loading happens in the worker; this module finds and reads the files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Protocol

from grader.exercise import Exercise
from grader.notebook import Notebook, NotebookError, read_notebook
from grader.sandbox.client import Reply, WorkerClient

#: Namespace, in the worker, of a file or notebook shared by all exercises.
SHARED_NAMESPACE = "submission"
#: Folders that editors and Python create beside student code; ignored when hashing a tree.
IGNORED_FOLDERS = frozenset({"__pycache__", ".ipynb_checkpoints", ".git", ".hypothesis", ".pytest_cache"})


class SubmissionError(Exception):
    """The submission path cannot be graded (for example, it does not exist)."""


class Submission(Protocol):
    root: Path

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    def namespace(self, exercise: Exercise) -> str: ...

    def load(self, worker: WorkerClient, exercise: Exercise, timeout: float) -> Reply | None: ...

    def describe_missing(self, exercise: Exercise) -> str: ...

    def describe_missing_functions(self, exercise: Exercise, names: list[str]) -> str: ...

    def fingerprint(self) -> str: ...

    def tidy(self, text: str, worker: WorkerClient) -> str: ...


@dataclass(frozen=True)
class TreeSubmission:
    """A folder with one subfolder per exercise, as students receive ``exercises/``."""

    root: Path
    kind = "tree"

    @property
    def name(self) -> str:
        return self.root.name

    def namespace(self, exercise: Exercise) -> str:
        return exercise.name

    def module_path(self, exercise: Exercise) -> Path:
        """Return ``ROOT/EXERCISE/MODULE``, or ``ROOT/MODULE`` when only that exists (a flat upload)."""
        nested = self.root / exercise.name / exercise.module
        flat = self.root / exercise.module
        return flat if not nested.is_file() and flat.is_file() else nested

    def describe_missing(self, exercise: Exercise) -> str:
        return f"missing: {exercise.name}/{exercise.module} was not found in your submission"

    def describe_missing_functions(self, exercise: Exercise, names: list[str]) -> str:
        return f"missing: define {_code_list(names)} in {self.module_path(exercise).relative_to(self.root)}"

    def load(self, worker: WorkerClient, exercise: Exercise, timeout: float) -> Reply | None:
        """Import the exercise's module into the namespace ``exercise.name``; None when it is missing."""
        path = self.module_path(exercise)
        if not path.is_file():
            return None
        return worker.load_file(exercise.name, path.resolve(), timeout, module_name=path.stem)

    def fingerprint(self) -> str:
        return hash_files(self.root, _tree_files(self.root))

    def tidy(self, text: str, worker: WorkerClient) -> str:
        return text


class _SingleSource:
    """Shared parts of a submission whose one file defines every exercise's functions."""

    root: Path

    @property
    def name(self) -> str:
        return self.root.name

    def namespace(self, exercise: Exercise) -> str:
        return SHARED_NAMESPACE

    def describe_missing_functions(self, exercise: Exercise, names: list[str]) -> str:
        return f"missing: define {_code_list(names)} in your submission"


@dataclass(frozen=True)
class FileSubmission(_SingleSource):
    """One ``.py`` file holding the functions of some or all exercises."""

    root: Path
    kind = "file"

    def describe_missing(self, exercise: Exercise) -> str:
        return f"missing: {self.root.name} was not found"

    def load(self, worker: WorkerClient, exercise: Exercise, timeout: float) -> Reply | None:
        """Import the file into the shared namespace.

        The file is copied into a folder of its own inside the worker's
        scratch space, so that its siblings (in a class, other students'
        files) are not importable from it and its name cannot shadow a module.
        """
        if not self.root.is_file():
            return None
        private = self._private_folder(worker)
        private.mkdir(parents=True, exist_ok=True)
        copy = private / self.root.name
        shutil.copyfile(self.root, copy)
        return worker.load_file(SHARED_NAMESPACE, copy, timeout, module_name="student_submission")

    def fingerprint(self) -> str:
        return hash_files(self.root.parent, [self.root])

    def tidy(self, text: str, worker: WorkerClient) -> str:
        """Show the private copy's path in tracebacks as the file's own name."""
        folder = self._private_folder(worker)
        for prefix in {str(folder), str(folder.resolve())}:
            text = text.replace(prefix + os.sep, "")
        return text

    @staticmethod
    def _private_folder(worker: WorkerClient) -> Path:
        return worker.scratch / "submission-code"


@dataclass(frozen=True)
class NotebookSubmission(_SingleSource):
    """A Jupyter notebook whose code cells define some or all exercise functions.

    ``notebook`` is None when the file could not be read.  ``problem`` then
    gives the reason, which every exercise reports instead of running checks.
    """

    root: Path
    notebook: Notebook | None
    problem: str | None = None
    kind = "notebook"
    #: Seconds one cell may run before it is interrupted and the next cell starts.
    cell_timeout: float = field(default=30.0)

    def describe_missing(self, exercise: Exercise) -> str:
        return f"your notebook {self.root.name} could not be read: {self.problem}"

    def load(self, worker: WorkerClient, exercise: Exercise, timeout: float) -> Reply | None:
        """Run the code cells in order in the shared namespace; None when the notebook is unreadable.

        ``timeout`` limits each cell.  The whole request may take one
        ``timeout`` per cell plus a margin for starting up.
        """
        if self.notebook is None:
            return None
        if any("matplotlib" in cell.source for cell in self.notebook.cells):
            seed_font_cache(worker.scratch)
        cells = [(cell.number, cell.source) for cell in self.notebook.cells]
        per_cell = min(timeout, self.cell_timeout)
        return worker.run_cells(SHARED_NAMESPACE, cells, cell_timeout=per_cell, timeout=per_cell * max(1, len(cells)) + 10)

    def fingerprint(self) -> str:
        return hash_files(self.root.parent, [self.root])

    def tidy(self, text: str, worker: WorkerClient) -> str:
        return text


def locate(path: Path) -> Submission:
    """Return the submission at ``path``; raises SubmissionError when it cannot be graded.

    A folder without subfolders that contains a single .py or .ipynb file
    is graded as that file.  An unreadable notebook is not an error here.  It
    becomes a NotebookSubmission whose ``problem`` every exercise reports, so
    that a class run or a Gradescope report still records why it scored nothing.
    """
    if not path.exists():
        raise SubmissionError(f"{path}: submission not found")
    if path.is_dir():
        single = _single_file(path)
        return locate(single) if single is not None else TreeSubmission(path)
    if path.suffix == ".py":
        return FileSubmission(path)
    if path.suffix == ".ipynb":
        try:
            return NotebookSubmission(path, read_notebook(path))
        except NotebookError as error:
            return NotebookSubmission(path, None, problem=str(error))
    raise SubmissionError(
        f"{path}: cannot grade a {path.suffix or 'extensionless'} file; a submission is a folder laid out "
        "like the exercises folder, a .py file or a .ipynb notebook"
    )


def _single_file(folder: Path) -> Path | None:
    """Return the only .py or .ipynb file of a folder without subfolders, else None.

    Course platforms often download each student's upload into a folder of its own.
    """
    entries = [entry for entry in folder.iterdir() if not entry.name.startswith(".") and entry.name not in IGNORED_FOLDERS]
    if any(entry.is_dir() for entry in entries):
        return None
    code = [entry for entry in entries if entry.suffix in (".py", ".ipynb")]
    return code[0] if len(code) == 1 else None


def seed_font_cache(home: Path) -> None:
    """Copy the grader's matplotlib font list into the worker's home, where matplotlib looks for it.

    Without it, the first ``import matplotlib.pyplot`` in every fresh worker
    spends about a second scanning the system's fonts.  Each worker gets its
    own copy, so no student can change what another one reads.
    """
    import matplotlib.font_manager  # importing it builds the grader's own font list when there is none yet

    target = home / ".cache" / "matplotlib"
    for font_list in Path(matplotlib.get_cachedir()).glob("fontlist-v*.json"):
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(font_list, target / font_list.name)


def hash_files(base: Path, files: list[Path]) -> str:
    """Return a SHA-256 over the files' paths relative to ``base`` and their contents."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(base)).encode("utf-8") + b"\0")
        with open(path, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def _tree_files(root: Path) -> list[Path]:
    return list(walk_files(root))


def walk_files(root: Path) -> Iterator[Path]:
    """Yield the regular files below ``root``, skipping caches and version-control folders."""
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name not in IGNORED_FOLDERS)
        for name in sorted(files):
            if not name.endswith((".pyc", ".tmp")):
                path = Path(folder) / name
                if path.is_file():
                    yield path


def _code_list(names: list[str]) -> str:
    quoted = [f"`{name}`" for name in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
