#!/usr/bin/env bash
# Installs everything the tests need into .venv and runs every check: the Rust
# lints and tests, then the Python lints, type checks and tests. CI runs this.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet "maturin>=1.7,<2"

echo "== rust: fmt, clippy, tests, fuzz targets compile"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test -p dedup-core --locked -q
# The fuzz targets are a workspace of their own: compile them so that a change in the
# core cannot silently break them.
(cd fuzz && cargo check --locked -q)

echo "== browser for the report test (headless Chromium; the test skips without it)"
if ! command -v chromedriver >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; } \
    >/dev/null 2>&1 || echo "(could not install chromium; the browser test will be skipped)"
fi

echo "== python: build and install with the test and spark extras"
python -m pip install --quiet -e ".[test,spark]"

echo "== python: ruff, mypy, stubtest"
ruff check python tests benches docs
ruff format --check python tests benches docs
mypy
python -m mypy.stubtest dedup --mypy-config-file pyproject.toml --allowlist .stubtest-allowlist

echo "== python: pytest"
python -m pytest -q "$@"
