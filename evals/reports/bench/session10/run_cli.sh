#!/bin/sh
# usage: run_cli.sh NAME  -- fresh data dir with only the onnx/ export copied in; empty embedding cache
set -e
D=/tmp/onnx-ing-$1
rm -rf "$D" && mkdir -p "$D" && cp -r /work/wt-onnx/.refuge/onnx "$D/"
cd /work/wt-onnx
REFUGE_DATA_DIR="$D" PYTHONPATH=$PWD /usr/bin/time -f "wall %e s, user %U s, sys %S s" /work/main/.venv/bin/refuge ingest
