#!/usr/bin/env bash
# Extracts the kiosk's strings into po/kikan.pot and merges them into each
# catalog of po/LINGUAS (issue #11 item 7).  Run after changing a string;
# then translate what msgmerge marks new or fuzzy in po/ja.po.
set -euo pipefail
cd "$(dirname "$0")/.."
grep -v '^#' po/POTFILES.in | grep . > /tmp/kikan-potfiles.$$
xgettext --from-code=UTF-8 --add-comments=TRANSLATORS --keyword=_ --keyword=N_ \
  --keyword=C_:1c,2 --keyword=NC_:1c,2 --package-name=kikan --msgid-bugs-address=- \
  --files-from=/tmp/kikan-potfiles.$$ -o po/kikan.pot
rm -f /tmp/kikan-potfiles.$$
for lang in $(grep -v '^#' po/LINGUAS); do
  if [ -f "po/$lang.po" ]; then
    msgmerge --quiet --update --backup=none --no-fuzzy-matching "po/$lang.po" po/kikan.pot
  else
    msginit --no-translator --locale="$lang" -i po/kikan.pot -o "po/$lang.po"
  fi
done
