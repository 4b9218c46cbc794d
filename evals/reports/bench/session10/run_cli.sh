#!/bin/sh
# usage: evals/reports/bench/session10/run_cli.sh NAME   (from the repository root, after `make ingest`)
# A fresh data dir holding only the ONNX export (copied from .refuge/onnx), so the embedding cache is empty.
set -e
ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
D=/tmp/onnx-ing-$1
rm -rf "$D" && mkdir -p "$D" && cp -r "$ROOT/.refuge/onnx" "$D/"
cd "$ROOT"
REFUGE_DATA_DIR="$D" /usr/bin/time -f "wall %e s, user %U s, sys %S s" "$ROOT/.venv/bin/refuge" ingest
