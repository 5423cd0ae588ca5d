#!/usr/bin/env bash
# The first of the README's two commands: installs what is missing, builds,
# scans the built-in demo medium (harmless files, one of them carrying the
# EICAR test string inside a zip inside a zip), then plays a demo check-in
# with the example ledger in data/.
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
  1) echo "demo: as expected, the EICAR test file was found (exit 1): the medium would be QUARANTINED." ;;
  0) echo "demo: UNEXPECTED: the demo medium came back clean." >&2; exit 1 ;;
  *) echo "demo: the scan could not inspect everything (exit $rc); see the lines above." >&2; exit "$rc" ;;
esac

# A demo check-in (docs/checkin.md), in a home of its own so that the demo
# ledger never mixes with a real one: the example ledger of the asset tool
# is imported, then 山田 太郎 (E1001) hands back USB-0007 -- the demo medium
# above -- says his laptop is at home and his spare stick was lost.
home="$top/build/demo-home"
rm -rf "$home"
mkdir -p "$home"
export KIKAN_HOME="$home"
# What the slip prints under "security contact" (docs/slip.md).
cat > "$home/kikan.conf" <<CONF
[slip]
contact_name = IT security desk / 情報セキュリティ窓口 (demo)
contact_phone = 03-0000-0000
contact_mail = security@example.invalid
CONF
echo
echo "== kikan ledger import (data/ledger.example.csv), then a scripted check-in"
"$top/build/kiosk/kikan" ledger import "$top/data/ledger.example.csv"
# Kiosk setup: seal the audit trail and make the kiosk's signing key (the
# auditor would take the verification key away; the demo keeps it in a file).
echo
echo "== kikan audit init (once per kiosk, with the auditor present)"
"$top/build/kiosk/kikan" audit init --kiosk-id demo --key-file "$home/auditor-key.txt"
script="$home/checkin.json"
cat > "$script" <<JSON
{
  "employee": "E1001",
  "answers": {"Q1": "yes", "Q2": "no", "Q3": "no", "Q4": "no", "Q5": "no", "Q6": "no",
              "Q7": "no", "Q8": "no", "Q9": "no", "Q10": "no", "Q11": "no", "Q12": "no",
              "Q13": "no", "Q14": "no", "Q15": "no", "Q16": "no", "Q17": "no", "Q19": "yes"},
  "present": [{"asset": "USB-0007", "medium": "$demo"}],
  "missing": [{"asset": "LT-0003", "declared": "at_home", "return_by": "2026-12-24"},
              {"asset": "USB-0008", "declared": "lost", "data_held": "meeting notes",
               "classification": "internal", "personal_data": "no"}]
}
JSON
set +e
"$top/build/kiosk/kikan" checkin --policy "$top/data/policy.conf.example" --kiosk-id demo \
    --script "$script"
rc=$?
set -e
echo
slip=$(sqlite3 "$home/kikan.db" "SELECT number FROM slips ORDER BY id DESC LIMIT 1")
pdf=$(sqlite3 "$home/kikan.db" "SELECT pdf_path FROM slips ORDER BY id DESC LIMIT 1")
payload=$(sqlite3 "$home/kikan.db" "SELECT payload FROM slips ORDER BY id DESC LIMIT 1")
if [ -z "$slip" ]; then
  echo "demo: UNEXPECTED: no slip was issued." >&2; exit 1
fi
echo "== the slip $slip ($home/$pdf): what the network team checks at the LAN port"
set +e
"$top/build/kiosk/kikan" slip verify "$payload" \
    --public-key "$(sed -n 's/^public_key=//p' "$home/auditor-key.txt")"
slip_rc=$?
set -e
# 3: genuine, but the verdict (QUARANTINE) does not allow reconnection.
if [ "$slip_rc" -ne 3 ]; then
  echo "demo: UNEXPECTED: kikan slip verify exited $slip_rc for the QUARANTINE slip (3 expected)." >&2
  exit 1
fi
echo
echo "== what the auditor checks: the sealed chain, with the verification key"
"$top/build/kiosk/kikan" audit verify \
    --key "$(sed -n 's/^verification_key=//p' "$home/auditor-key.txt")" \
    --public-key "$(sed -n 's/^public_key=//p' "$home/auditor-key.txt")"
echo
# The kiosk itself (issue #11) on the same home: it opens the station,
# warms the engine and runs its start-up self-test; --check-display exits
# once its window is on the (virtual) display.
echo "== the kiosk: kikan-kiosk on the demo home"
timeout 300 xvfb-run -a -s "-screen 0 1280x800x24" env GDK_BACKEND=x11 GTK_A11Y=none \
    GSK_RENDERER=cairo "$top/build/ui/kikan-kiosk" --windowed --check-display \
    --kiosk-id demo --policy "$top/data/policy.conf.example"
echo "      On a desktop, try it: KIKAN_HOME=$home $top/build/ui/kikan-kiosk --windowed"
echo "      --policy data/policy.conf.example (employee E1001; IT mode needs an account:"
echo "      kikan it account add ID, docs/it-mode.md; screenshots: docs/screenshots/)."
echo
case $rc in
  1) echo "demo: as expected, the check-in is QUARANTINE (the EICAR stick) with the laptop NOT RETURNED"
     echo "      and an incident opened for the lost stick; \`KIKAN_HOME=$home kikan it list\` shows IT's queue."
     echo "      The signed slip is $home/$pdf (no printer is set up in the demo)."
     exit 0 ;;
  0) echo "demo: UNEXPECTED: the check-in was CLEARED." >&2; exit 1 ;;
  *) echo "demo: the check-in did not end as expected (exit $rc); see the lines above." >&2; exit "$rc" ;;
esac
