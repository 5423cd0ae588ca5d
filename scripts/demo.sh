#!/usr/bin/env bash
# The first of the README's two commands: installs what is missing, builds,
# and scans the built-in demo medium (harmless files, one of them carrying
# the EICAR test string inside a zip inside a zip).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh" "$top/build"
demo="$top/build/fixtures/demo"
[ -d "$demo" ] || { echo "demo medium missing: $demo (the build should have made it)" >&2; exit 2; }
export KIKAN_HOME="${KIKAN_HOME:-$top/build/home}"
echo
echo "== kikan scan on the built-in demo medium ($demo)"
set +e
"$top/build/kiosk/kikan" scan --policy "$top/data/policy.conf.example" "$demo"
rc=$?
set -e
echo
case $rc in
  1) echo "demo: as expected, the EICAR test file was found (exit 1): the medium would be QUARANTINED."; exit 0 ;;
  0) echo "demo: UNEXPECTED: the demo medium came back clean." >&2; exit 1 ;;
  *) echo "demo: the scan could not inspect everything (exit $rc); see the lines above." >&2; exit "$rc" ;;
esac
