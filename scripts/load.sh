#!/usr/bin/env bash
# Measures sejour on this machine for docs/performance.md: prints the
# machine, runs the Go benchmarks of internal/web and internal/store three
# times (summarised by benchstat when it is installed), then the load tool.
# Every request goes to 127.0.0.1; everything stops by itself.
#
#   scripts/load.sh                  # benchmarks, then the load tool with its defaults
#   BENCH=0 scripts/load.sh -demo    # the load tool only, with its flags
#
# The PostgreSQL halves of the store benchmarks run when
# SEJOUR_TEST_DATABASE_URL is set. Raw outputs go to $OUT (a new temporary
# directory unless set).
set -euo pipefail
export GOTOOLCHAIN=auto
cd "$(dirname "$0")/.."
OUT=${OUT:-$(mktemp -d -t sejour-perf-XXXXXX)}
mkdir -p "$OUT"

echo "## Machine"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:     $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "memory:  $(free -h | awk '/^Mem:/ {print $2}')"
echo "go:      $(go version)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) before the run"
echo "outputs: $OUT"
echo

if [[ "${BENCH:-1}" != 0 ]]; then
	for pkg in web store; do
		echo "## Benchmarks: internal/$pkg"
		go test ./internal/$pkg -run '^$' -bench . -benchtime 2s -count 3 | tee "$OUT/bench-$pkg.txt"
		if command -v benchstat >/dev/null; then
			benchstat "$OUT/bench-$pkg.txt" | tee "$OUT/benchstat-$pkg.txt"
		fi
		echo
	done
fi

echo "## Load"
go run ./tools/load "$@" | tee "$OUT/load.md"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) after the run"
