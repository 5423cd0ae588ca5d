#!/usr/bin/env bash
# Runs Kikan's whole hostile-media corpus (issue #12 item 2; KR-10, KR-09)
# through the real `kikan scan`, one item at a time, and writes the table
# for docs/robustness.md (input, time, peak memory, result, what was not
# inspected).
#
#   scripts/hostile-media.sh [--build DIR] [--corpus DIR] [--out FILE]
#                            [--only NAME,...] [--subset] [--remake]
#                            [--time-bound S] [--mem-bound MIB] [--timeout S]
#
# Builds kikan and kikan-scand in DIR (default build/) if needed, makes the
# corpus with tests/hostile/make-corpus.py into DIR/hostile/corpus (again
# only when the generator changed, or with --remake; needs root, FUSE and
# the tools of scripts/install-deps.sh; a few minutes and ~300 MB), then
# runs tests/hostile/run-corpus.py.  Writes FILE (default
# DIR/hostile/report.md) and FILE's .json beside it.  Exit status 1 when any
# item crashed a Kikan process, came back clean or cleared, had no report,
# did not name what it did not inspect, or broke a bound; 0 otherwise.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
corpus=
out=
only=
subset=
remake=0
bounds=()
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --corpus) corpus=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --subset) subset=--subset; shift ;;
    --remake) remake=1; shift ;;
    --time-bound|--mem-bound|--timeout) bounds+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "hostile-media.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
build=$(realpath -m "$build")
corpus=${corpus:-$build/hostile/corpus${subset:+-subset}}
out=${out:-$build/hostile/report${subset:+-subset}.md}

if [ ! -f "$build/CMakeCache.txt" ]; then
  "$top/scripts/build.sh" "$build"
else
  cmake --build "$build" --target kikan kikan-scand -j"$(nproc)" >/dev/null
fi

# The corpus is remade when the scripts that make it changed: a table must
# describe the corpus the current generator makes.
want=$(python3 - "$top" <<'PY'
import importlib.util, os, sys
sys.dont_write_bytecode = True
spec = importlib.util.spec_from_file_location("mc", os.path.join(sys.argv[1], "tests", "hostile",
                                                                 "make-corpus.py"))
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
print(m.generator_sha256())
PY
)
have=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["generator_sha256"])' \
       "$corpus/manifest.json" 2>/dev/null || true)
if [ "$remake" = 1 ] || [ "$want" != "$have" ]; then
  # Only a folder this script made (or none) is removed.
  if [ -d "$corpus" ] && [ ! -f "$corpus/manifest.json" ] && [ -n "$(ls -A "$corpus")" ]; then
    echo "hostile-media.sh: $corpus is not a corpus folder; not removing it" >&2
    exit 2
  fi
  rm -rf "$corpus"
  python3 "$top/tests/hostile/make-corpus.py" $subset "$corpus"
fi

mkdir -p "$(dirname "$out")"
python3 "$top/tests/hostile/run-corpus.py" \
  --kikan "$build/kiosk/kikan" --scand "$build/scanner/kikan-scand" --corpus "$corpus" \
  ${only:+--only "$only"} --out "$out" --json "${out%.md}.json" "${bounds[@]}"
