#!/usr/bin/env bash
# Quick start: builds cluster-exec and runs it on the embedded default, where
# the cluster is this machine alone.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
set -x
./build/cluster-router submit -- uname -a
./build/cluster-router cluster-status
