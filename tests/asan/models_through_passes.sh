#!/usr/bin/env bash
# Every model in models/ through the sanitized graph passes: the normal aec prints its
# training module (`aec dump --stage train`), and aec-opt built under ASan + UBSan parses,
# verifies, runs the default pipeline and prints it. Its output must equal the unsanitized
# aec-opt's, and no sanitizer may report (a report exits non-zero: halt_on_error).
source "$AEC_SOURCE_DIR/tests/e2e/prelude.sh"
: "${AEC_OPT:?}" "${AEC_OPT_ASAN:?}"
count=0
for model in "$AEC_SOURCE_DIR"/models/*.yaml; do
  name=$(basename "$model" .yaml)
  "$AEC" dump --stage train "$model" > "$name.ir" 2> err.txt || { fail "$name: aec dump"; cat err.txt; continue; }
  "$AEC_OPT" "$name.ir" --default-pipeline > "$name.plain.ir" 2> err.txt || { fail "$name: aec-opt"; cat err.txt; continue; }
  "$AEC_OPT_ASAN" "$name.ir" --default-pipeline > "$name.asan.ir" 2> err.txt \
    || { fail "$name: sanitized aec-opt"; head -40 err.txt; continue; }
  cmp -s "$name.plain.ir" "$name.asan.ir" || fail "$name: the sanitized aec-opt printed another module"
  count=$((count + 1))
done
echo "$count models through the sanitized default pipeline, $failures failure(s)"
[ "$count" -gt 0 ] && [ "$failures" -eq 0 ]
