#!/usr/bin/env bash
# Runs the card decoder fuzz target briefly (stable Rust: no sanitizer).
# Usage: .ci/fuzz.sh [SECONDS]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
# Seed the corpus with real inputs: the EU DCC vectors' QR texts.
corpus=fuzz/corpus/card_decoders
mkdir -p "$corpus"
if [ -d ../shared/testdata/dgc-common ] && command -v python3 >/dev/null; then
    python3 - "$corpus" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
for f in pathlib.Path("../shared/testdata/dgc-common").glob("*.json"):
    prefix = json.loads(f.read_text()).get("PREFIX")
    if prefix:
        (out / f"dgc-{f.stem}").write_text(prefix)
PY
fi
cargo fuzz run --sanitizer none card_decoders "$corpus" -- \
    -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=2048
