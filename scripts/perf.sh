#!/usr/bin/env bash
# Digest speed and memory: builds threaddigest and threadgen, generates
# threads of 1,000 to 1,000,000 comments (threadgen -seed 1, JSON Lines, in a
# temporary directory), runs `threaddigest digest --format json FILE` on each
# under /usr/bin/time -v, and writes the table (median wall time, processor
# time, peak resident memory, budget) with the machine it ran on into
# docs/performance.md, section "Digest speed and memory", between its
# perf.sh markers. It also prints the growth exponent between 10,000 and
# 100,000 comments and compares it with n log n.
#
#   scripts/perf.sh                          # 1k, 10k, 100k, 1M
#   SIZES="1000 10000" scripts/perf.sh       # some sizes only
#   REPEATS=9 scripts/perf.sh                # runs of each size below 1M (default 7)
#   DOC=/dev/null scripts/perf.sh            # print, write nothing
#
# Needs ../shared/data (threadgen's sentences) and GNU time at /usr/bin/time.
# Exits 1 when a budget is missed; the figures are written either way.
# KEEP=1 keeps the temporary directory (threads and time reports).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES="${SIZES:-1000 10000 100000 1000000}"
REPEATS="${REPEATS:-7}"
DOC="${DOC:-docs/performance.md}"
HEADING="## Digest speed and memory"
BEGIN_MARK="<!-- perf.sh: begin (generated; edit outside the markers) -->"
END_MARK="<!-- perf.sh: end -->"

if [[ ! -x /usr/bin/time ]]; then
	echo "perf: /usr/bin/time (GNU time) is needed for peak memory" >&2
	exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/threaddigest-perf.XXXXXX")"
cleanup() {
	if [[ "${KEEP:-0}" == 1 ]]; then
		echo "perf: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

load_start="$(cut -d' ' -f1 /proc/loadavg)"
echo "perf: load average at start: $load_start" >&2
echo "perf: building into $work" >&2
go build -o "$work/threaddigest" ./cmd/threaddigest
go build -o "$work/threadgen" ./cmd/threadgen

# runs N: how many times a size is digested (the median is reported).
runs() {
	if (($1 >= 1000000)); then
		echo 1
	elif (($1 >= 100000)); then
		echo $((REPEATS < 3 ? REPEATS : 3))
	else
		echo "$REPEATS"
	fi
}

# budget N: "seconds kilobytes" (0 = none), from issue 9 (GB = 10^9 bytes).
budget() {
	case "$1" in
	10000) echo "0.5 0" ;;
	100000) echo "5 976563" ;;
	1000000) echo "60 3906250" ;;
	*) echo "0 0" ;;
	esac
}

median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

rows=""
status=0
declare -A wall_of
for n in $SIZES; do
	file="$work/thread-$n.jsonl"
	echo "perf: generating $n comments" >&2
	"$work/threadgen" -n "$n" -format jsonl -seed 1 -o "$file"
	k="$(runs "$n")"
	: >"$work/walls-$n" && : >"$work/cpus-$n" && : >"$work/rss-$n"
	for ((i = 1; i <= k; i++)); do
		report="$work/time-$n-$i.txt"
		/usr/bin/time -v -o "$report" "$work/threaddigest" digest --format json "$file" >/dev/null
		# "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:01.23"
		awk -F': ' '/Elapsed \(wall clock\)/ {print $NF}' "$report" |
			awk -F: '{s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s}' >>"$work/walls-$n"
		awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$report" >>"$work/cpus-$n"
		sed -n 's/.*Maximum resident set size (kbytes): //p' "$report" >>"$work/rss-$n"
	done
	wall="$(median <"$work/walls-$n")"
	cpu="$(median <"$work/cpus-$n")"
	rss="$(sort -n "$work/rss-$n" | tail -n 1)"
	wall_of[$n]="$wall"
	read -r max_s max_kb <<<"$(budget "$n")"
	verdict="—"
	budget_text="—"
	if [[ "$max_s" != 0 ]]; then
		budget_text="≤ $max_s s"
		verdict="met"
		if awk -v w="$wall" -v m="$max_s" 'BEGIN {exit !(w > m)}'; then
			verdict="**missed**"
			status=1
		fi
		if [[ "$max_kb" != 0 ]]; then
			budget_text="$budget_text, ≤ $(awk -v k="$max_kb" 'BEGIN {printf "%.3g", k * 1024 / 1e9}') GB"
			if ((rss > max_kb)); then
				verdict="**missed**"
				status=1
			fi
		fi
	fi
	line="$(printf '| %s | %s | %.2f s | %.2f s | %s MiB | %s | %s |' \
		"$(echo "$n" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')" "$k" "$wall" "$cpu" "$((rss / 1024))" "$budget_text" "$verdict")"
	echo "perf: $line" >&2
	rows+="$line"$'\n'
	rm -f "$file"
done

exponent_text=""
if [[ -n "${wall_of[10000]:-}" && -n "${wall_of[100000]:-}" ]]; then
	# n log n from 10^4 to 10^5: log10(10 * ln(1e5) / ln(1e4)) = 1.097.
	read -r exponent verdict <<<"$(awk -v a="${wall_of[10000]}" -v b="${wall_of[100000]}" 'BEGIN {
		e = log(b / a) / log(10); ref = log(10 * log(1e5) / log(1e4)) / log(10)
		printf "%.2f %s\n", e, (e <= ref ? "met" : "missed")}')"
	[[ "$verdict" == missed ]] && status=1
	exponent_text="Growth from 10,000 to 100,000 comments: exponent log(t100k / t10k) / log 10 = **$exponent** (n log n would be 1.10; budget: no worse than n log n — $verdict)."
	echo "perf: growth exponent 10k → 100k: $exponent (n log n: 1.10) — $verdict" >&2
fi

load_end="$(cut -d' ' -f1 /proc/loadavg)"
pressure=""
if [[ -r /proc/pressure/cpu ]]; then
	pressure="$(sed -n 's/^some avg10=[0-9.]* avg60=\([0-9.]*\).*/\1/p' /proc/pressure/cpu)"
fi
cpu_model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
mem_gib="$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)"

table_rows="${rows%$'\n'}"
exponent_block=""
if [[ -n "$exponent_text" ]]; then
	exponent_block=$'\n'"$exponent_text"$'\n'
fi
block="$(
	cat <<EOF
$BEGIN_MARK
\`threaddigest digest --format json FILE > /dev/null\` — read, analyse, write the JSON of every comment — on threads
from \`threadgen -n N -format jsonl -seed 1\`, timed by \`/usr/bin/time -v\`: the median wall time and the median
processor time (user + system, all cores together) of the runs, and the largest peak resident memory of any run.

| comments | runs | wall time (median) | processor time (median) | peak RSS | budget | result |
|--:|--:|--:|--:|--:|:--|:--|
$table_rows
$exponent_block
Machine: $(nproc) CPUs ($cpu_model), $mem_gib GiB memory, $(go env GOVERSION) $(go env GOOS)/$(go env GOARCH). Measured $(date -u '+%Y-%m-%d %H:%M') UTC;
one-minute load average $load_start at the start and $load_end at the end${pressure:+, some task waiting for a CPU ${pressure}% of the last minute (Linux CPU pressure)}.
Regenerate with \`scripts/perf.sh\`.
$END_MARK
EOF
)"
echo "$block"

if [[ "$DOC" != /dev/null ]]; then
	[[ -f "$DOC" ]] || printf '# Performance\n' >"$DOC"
	blockfile="$work/block.md"
	printf '%s\n' "$block" >"$blockfile"
	if grep -qxF "$BEGIN_MARK" "$DOC"; then
		# Replace what lies between the markers.
		awk -v begin="$BEGIN_MARK" -v end="$END_MARK" -v blockfile="$blockfile" '
			$0 == begin {while ((getline l < blockfile) > 0) print l; skip = 1; next}
			$0 == end {skip = 0; next}
			!skip {print}' "$DOC" >"$work/doc.md"
	elif grep -qxF "$HEADING" "$DOC"; then
		# The section exists without markers: put the block under its heading.
		awk -v heading="$HEADING" -v blockfile="$blockfile" '
			{print}
			$0 == heading {print ""; while ((getline l < blockfile) > 0) print l}' "$DOC" >"$work/doc.md"
	else
		{ cat "$DOC"; printf '\n%s\n\n' "$HEADING"; cat "$blockfile"; } >"$work/doc.md"
	fi
	cat "$work/doc.md" >"$DOC"
	echo "perf: wrote the section \"${HEADING#\#\# }\" of $DOC" >&2
fi
exit "$status"
