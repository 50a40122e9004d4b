#!/usr/bin/env bash
# npm run conformance — the official MCP conformance suite (server mode) against `--http`.
# The suite needs Node >= 22, fetched with `npx node@22`; it talks to a server on loopback only.
# Expected failures, and why, are listed in docs/conformance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
log="$(mktemp)"
node dist/bin/main.js --http --port 0 --store memory --log-level info 2>"$log" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "serving MCP at" "$log" && break; sleep 0.1; done
url="$(grep -o 'http://[^ ]*/mcp' "$log" | head -1)"
echo "conformance suite against $url"
npx -y @modelcontextprotocol/conformance@0.1.16 --version >/dev/null 2>&1 || true
suite="$(find "${npm_config_cache:-$HOME/.npm}/_npx" -path '*@modelcontextprotocol/conformance/dist/index.js' 2>/dev/null | head -1)"
npx -y node@22 "$suite" server --url "$url" --suite "${1:-active}" 2>&1 | sed -n '/=== SUMMARY ===/,$p'
