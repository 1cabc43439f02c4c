#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 60 s each), seeding each corpus from the
# repository's fixtures first. Needs a nightly toolchain and cargo-fuzz:
#   rustup toolchain install nightly && cargo install cargo-fuzz
#   fuzz/run.sh            # 60 s per target
#   fuzz/run.sh 1800       # 30 minutes per target
#   fuzz/run.sh 600 ldif   # one target
# A crash leaves its input in fuzz/artifacts/TARGET/ and makes this script fail; turn it into a
# regression test (tests/hostile/ or the crate's tests) before fixing it.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(snapshot rule_file condition ldif powershell_json collect_config)
fi

seed() { # seed TARGET FILE...
  local dir="corpus/$1"; shift
  mkdir -p "$dir"
  # A pattern that matched no file stays as written: skip it (and never let `set -e` end the run).
  for f in "$@"; do if [ -f "$f" ]; then cp -f "$f" "$dir/$(basename "$f")"; fi; done
}
root=..
seed_snapshot() { # the fuzzer's first byte picks JSON (even) or YAML (odd)
  mkdir -p corpus/snapshot
  for f in "$root"/examples/*.json "$root"/rules/baselines/*.json "$root"/tests/hostile/*.json; do
    if [ -f "$f" ]; then { printf '\0'; cat "$f"; } > "corpus/snapshot/$(basename "$f")"; fi
  done
}
seed_snapshot
seed rule_file "$root"/rules/*/*.yaml
mkdir -p corpus/condition
for f in "$root"/rules/*/*.yaml; do
  # the `when` block of each bundled rule
  awk '/^when: *\|/{on=1; next} on && /^[^ ]/{on=0} on{sub(/^  /, ""); print}' "$f" > "corpus/condition/$(basename "$f" .yaml).rhai"
done
seed ldif "$root"/probes/tests/fixtures/*.ldif "$root"/probes/tests/fixtures/*/*.ldif "$root"/probes/tests/fixtures/*/*/*.ldif
seed powershell_json "$root"/probes/tests/fixtures/*.json "$root"/probes/tests/fixtures/*/*.json "$root"/probes/tests/fixtures/*/*/*.json
seed collect_config "$root"/examples/*.yaml "$root"/probes/tests/fixtures/*.yaml "$root"/probes/tests/fixtures/*/*.yaml "$root"/probes/tests/fixtures/*/*/*.yaml

for t in "${targets[@]}"; do
  echo "== fuzz $t for ${seconds}s"
  cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
done
