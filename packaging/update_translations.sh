#!/usr/bin/env bash
# Refresh the English source strings for translators from the UI code.
#
#   packaging/update_translations.sh          # uses .venv/bin/pyside6-lupdate, or $LUPDATE
#
# Scans every tr()/translate() call in desktop/ui and rewrites
# resources/translations/frontdesk_en.ts (the source-language file a translator
# opens in Qt Linguist; frontdesk_<lang>.ts files are added the same way).
# Run it after changing user-visible text and commit the .ts file with the change.
# Locations are left out so that moving code does not churn the file.
set -euo pipefail
cd "$(dirname "$0")/.."

LUPDATE="${LUPDATE:-.venv/bin/pyside6-lupdate}"
mapfile -t sources < <(find desktop/ui -name '*.py' | LC_ALL=C sort)
for ts in resources/translations/frontdesk_*.ts; do
    [[ -e "$ts" ]] || ts=resources/translations/frontdesk_en.ts
    lang=$(basename "$ts" .ts); lang=${lang#frontdesk_}
    "$LUPDATE" -silent -locations none -no-obsolete -source-language en_AU \
        -target-language "$lang" "${sources[@]}" -ts "$ts"
    echo "updated $ts ($(grep -c '<message>' "$ts") strings)"
done
