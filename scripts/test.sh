#!/usr/bin/env bash
# Installs dependencies (when missing), builds, fetches the MCP client SDKs the
# end-to-end tests drive the server with, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
ctest --test-dir build --output-on-failure --timeout 600
