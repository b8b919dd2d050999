#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (stable Rust: no sanitizer).
# Usage: .ci/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS defaults to 30; CI calls it with 30: 4 targets x 30 s = 2 min
#   of fuzzing, within the 3 minutes it may take. Without TARGETs, all.
# A crash leaves its input in fuzz/artifacts/TARGET/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(card_decoders fiscal_code import_rows status_list)
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
# The fuzz workspace builds with the versions the main workspace tested.
[ -f fuzz/Cargo.lock ] || cp Cargo.lock fuzz/Cargo.lock

# Seed each corpus with real inputs (kept out of git: fuzz/.gitignore).
seed() { mkdir -p "fuzz/corpus/$1"; }
# card_decoders: the EU DCC common test vectors' QR texts.
seed card_decoders
if [ -d ../shared/testdata/dgc-common ] && command -v python3 >/dev/null; then
    python3 - fuzz/corpus/card_decoders <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
for f in pathlib.Path("../shared/testdata/dgc-common").glob("*.json"):
    prefix = json.loads(f.read_text()).get("PREFIX")
    if prefix:
        (out / f"dgc-{f.stem}").write_text(prefix)
PY
fi
# fiscal_code: the test kit's people, as typed (lower case, spaces, omocodia).
seed fiscal_code
grep -o '"[A-Z0-9]\{16\}"' crates/attesta-testkit/src/people.rs | tr -d '"' |
    while read -r code; do
        printf '%s' "$code" >"fuzz/corpus/fiscal_code/$code"
        printf '  %s\n' "$code" | tr 'A-Z' 'a-z' >"fuzz/corpus/fiscal_code/lower-$code"
    done
printf '%s' RSSMRA80A01H5LMU >fuzz/corpus/fiscal_code/omocodia
# import_rows: the documented example files.
seed import_rows
cp docs/examples/*.csv docs/examples/*.jsonl fuzz/corpus/import_rows/
# status_list: the draft's example lists (1 and 2 bits), compressed and as lst.
seed status_list
printf '%s' eNrbuRgAAhcBXQ >fuzz/corpus/status_list/lst-1bit
printf '%s' eNo76fITAAPfAgc >fuzz/corpus/status_list/lst-2bit
if command -v python3 >/dev/null; then
    python3 - fuzz/corpus/status_list <<'PY'
import base64, pathlib, sys
out = pathlib.Path(sys.argv[1])
for name in ["lst-1bit", "lst-2bit"]:
    lst = (out / name).read_text()
    (out / name.replace("lst", "zlib")).write_bytes(base64.urlsafe_b64decode(lst + "=" * (-len(lst) % 4)))
PY
fi

cargo fuzz build --sanitizer none
for target in "${targets[@]}"; do
    echo "== $target: ${seconds} s"
    cargo fuzz run --sanitizer none "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=2048 -timeout=10
done
