#!/usr/bin/env bash
# Build autograder.zip for Gradescope: setup.sh and run_autograder at the top,
# and this repository's grader, exercises and solutions under grader/.
# Usage: examples/ci/gradescope/make_autograder_zip.sh [OUTPUT.zip]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repository="$(cd "$here/../../.." && pwd)"
output="$(realpath -m "${1:-autograder.zip}")"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT

cp "$here/setup.sh" "$here/run_autograder" "$staging/"
chmod +x "$staging/setup.sh" "$staging/run_autograder"
mkdir "$staging/grader"
for item in pyproject.toml README.md grader exercises solutions; do
    if [[ -e "$repository/$item" ]]; then
        cp -r "$repository/$item" "$staging/grader/"
    fi
done
find "$staging/grader" \( -name __pycache__ -o -name '*.egg-info' \) -prune -exec rm -rf {} +

rm -f "$output"
# Python's zipfile records each file's mode, so run_autograder stays executable.
(cd "$staging" && python3 -m zipfile -c "$output" setup.sh run_autograder grader)
echo "wrote $output"
