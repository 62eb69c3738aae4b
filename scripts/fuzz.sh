#!/usr/bin/env bash
# Runs every fuzz target in the repository for a short while beyond its seed
# corpus (`go test ./...` already runs the seeds). Targets are found in the
# committed test files, so a new one is fuzzed without editing this script.
# go test fuzzes one target per invocation, so each gets its own.
#
#   scripts/fuzz.sh                  # FUZZTIME=2s per target
#   FUZZTIME=1m scripts/fuzz.sh      # longer, to hunt
#   scripts/fuzz.sh ./input          # only the targets under ./input
#
# A crasher is written by go test to the package's testdata/fuzz/TARGET/ and
# the script goes on with the other targets, then exits 1 naming each
# failure. Commit a crasher as a seed once it is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME="${FUZZTIME:-2s}"
only="${1:-.}"
only="${only#./}"

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files="$(git ls-files -- '*_test.go')"
else
	files="$(find . -name '*_test.go' -not -path './.git/*' | sed 's|^\./||')"
fi

targets=()
while IFS= read -r f; do
	[[ -n "$f" ]] || continue
	dir="$(dirname "$f")"
	if [[ "$only" != "." && "$dir" != "$only" && "$dir" != "$only"/* ]]; then
		continue
	fi
	while IFS= read -r name; do
		targets+=("$dir $name")
	done < <(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$f")
done <<<"$files"

if [[ ${#targets[@]} -eq 0 ]]; then
	echo "fuzz: no fuzz targets under $only" >&2
	exit 1
fi

echo "fuzz: ${#targets[@]} targets, $FUZZTIME each" >&2
failed=()
start=$SECONDS
for t in "${targets[@]}"; do
	dir="${t% *}"
	name="${t#* }"
	t0=$SECONDS
	if out="$(go test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" "./$dir" 2>&1)"; then
		echo "fuzz: ok   ./$dir $name ($((SECONDS - t0))s)" >&2
	elif grep -q '^    context deadline exceeded$' <<<"$out" && ! grep -q 'Failing input written' <<<"$out"; then
		# Go 1.26's fuzz coordinator can report its own -fuzztime deadline
		# as a failure when a worker is mid-call (go.dev/issue/75804, fixed
		# in Go 1.27): no input failed, nothing was written.
		echo "fuzz: ok   ./$dir $name ($((SECONDS - t0))s; Go reported its own deadline, go.dev/issue/75804)" >&2
	else
		echo "fuzz: FAIL ./$dir $name" >&2
		echo "$out" | grep -v '^fuzz: elapsed' | tail -n 40 >&2
		failed+=("./$dir $name")
	fi
done
echo "fuzz: ${#targets[@]} targets in $((SECONDS - start))s" >&2
if [[ ${#failed[@]} -gt 0 ]]; then
	printf 'fuzz: failed: %s\n' "${failed[@]}" >&2
	exit 1
fi
