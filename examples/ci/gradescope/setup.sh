#!/usr/bin/env bash
# Install the grader for Gradescope.  Gradescope runs this once, as root, while
# it builds the autograder image; the zip's contents are in $ROOT/source.
# Needs Python 3.11 or newer: pick the Ubuntu 24.04 base image (Python 3.12).
set -euo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"

apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip

if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "setup.sh: the grader needs Python 3.11 or newer, but python3 is $(python3 --version);" \
         "choose the Ubuntu 24.04 base image in the autograder settings" >&2
    exit 1
fi

python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --no-cache-dir "$ROOT/source/grader"
