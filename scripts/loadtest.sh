#!/usr/bin/env bash
# Slash commands under load: builds threaddigest, threadgen and loadgen,
# generates a thread, starts `threaddigest serve` on it with a Slack channel
# following it, waits until the thread is stored and its digest cached, sends
# signed /thread stance commands at RATE per second for DURATION, and writes
# the figures into docs/performance.md ("Slash commands under load").
#
#   scripts/loadtest.sh                       # 100,000 comments, 50/s for 30s
#   COMMENTS=10000 DURATION=5s scripts/loadtest.sh
#
# Needs ../shared/data (threadgen's sentences). Exits 1 when the budget
# (p99 ≤ 100 ms, no errors) is missed; the figures are written either way.
# KEEP=1 keeps the temporary directory (thread, config, database, serve's log).
set -euo pipefail
cd "$(dirname "$0")/.."

COMMENTS="${COMMENTS:-100000}"
RATE="${RATE:-50}"
DURATION="${DURATION:-30s}"
DOC="${DOC:-docs/performance.md}"

work="$(mktemp -d "${TMPDIR:-/tmp}/threaddigest-loadtest.XXXXXX")"
serve_pid=""
cleanup() {
	if [[ -n "$serve_pid" ]] && kill -0 "$serve_pid" 2>/dev/null; then
		kill -TERM "$serve_pid" 2>/dev/null || true
		wait "$serve_pid" 2>/dev/null || true
	fi
	if [[ "${KEEP:-0}" == 1 ]]; then
		echo "loadtest: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

echo "loadtest: building into $work" >&2
go build -o "$work/threaddigest" ./cmd/threaddigest
go build -o "$work/threadgen" ./cmd/threadgen
go build -o "$work/loadgen" ./cmd/loadgen

echo "loadtest: generating $COMMENTS comments" >&2
"$work/threadgen" -n "$COMMENTS" -format jsonl -seed 1 -o "$work/thread.jsonl"

# A fresh signing secret for this run only; serve and loadgen read it from
# the environment. The bot token is never used (no digest is due and nothing
# is posted), but a slack: channel needs one configured; the API address is a
# closed loopback port so that nothing could leave the machine.
THREADDIGEST_SLACK_SIGNING_SECRET="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
THREADDIGEST_SLACK_BOT_TOKEN="xoxb-loadtest-unused"
export THREADDIGEST_SLACK_SIGNING_SECRET THREADDIGEST_SLACK_BOT_TOKEN

cat >"$work/config.toml" <<EOF
[store]
url = "sqlite:$work/threaddigest.db"

[http]
listen = "127.0.0.1:0"

[log]
level = "info"

[[thread]]
name = "loadtest"
source = "$work/thread.jsonl"

# The channel follows the thread, so its digest is computed as soon as the
# thread is stored and /thread stance answers from the cache. The schedule
# never falls due during the run.
[[digest]]
thread = "loadtest"
schedule = "0 0 1 1 *"
to = ["slack:C0LOADTEST"]
catch_up = false

[slack]
api_url = "http://127.0.0.1:9/api/"
EOF

"$work/threaddigest" check-config "$work/config.toml" >&2

"$work/threaddigest" serve --config "$work/config.toml" 2>"$work/serve.log" &
serve_pid=$!

# serve listens on a free port and logs it.
addr=""
for _ in $(seq 1 300); do
	addr="$(sed -n 's/.*msg="http server listening" addr=\([0-9.:]*\).*/\1/p' "$work/serve.log" | head -n 1)"
	[[ -n "$addr" ]] && break
	if ! kill -0 "$serve_pid" 2>/dev/null; then
		cat "$work/serve.log" >&2
		echo "loadtest: serve exited before listening" >&2
		exit 1
	fi
	sleep 0.1
done
if [[ -z "$addr" ]]; then
	cat "$work/serve.log" >&2
	echo "loadtest: serve is not listening after 30 s" >&2
	exit 1
fi
echo "loadtest: serve (pid $serve_pid) on $addr" >&2

status=0
"$work/loadgen" -url "http://$addr" -channel C0LOADTEST -rate "$RATE" -duration "$DURATION" \
	-wait-comments "$COMMENTS" -serve-pid "$serve_pid" -doc "$DOC" \
	-workload "The thread has $COMMENTS comments (\`threadgen -n $COMMENTS -seed 1\`), read from a JSON Lines file into SQLite and followed by a Slack channel in the config, as in production." \
	-regen "scripts/loadtest.sh" || status=$?

if grep -q 'level=ERROR' "$work/serve.log"; then
	echo "loadtest: serve logged errors:" >&2
	grep 'level=ERROR' "$work/serve.log" | head -n 20 >&2
fi
exit "$status"
