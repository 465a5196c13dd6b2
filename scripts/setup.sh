#!/usr/bin/env bash
# Set-up on a fresh machine: dependencies from the npm registry only (no GPU binaries),
# then the bundle. With --test, also Debian's Chromium for the headless webview tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# onnxruntime-node would otherwise download CUDA binaries at install time; the CPU runtime
# ships inside the package. GPU users: ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci (see README).
export ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL:-skip}"
npm ci --no-audit --no-fund

if [[ "${1:-}" == "--test" ]] && ! command -v chromium >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "setup: Chromium is missing; the webview tests need it: sudo apt-get install chromium" >&2
    fi
fi
npm run build
