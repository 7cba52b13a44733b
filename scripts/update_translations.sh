#!/usr/bin/env bash
# Refresh the Indonesian translation from the source strings, then compile it.
#   1. pyside6-lupdate collects every tr()/translate() string in kiosk/ui into
#      assets/translations/kiosk_id.ts (existing translations are kept;
#      strings no longer in the code are marked obsolete and dropped).
#   2. Translate new entries in kiosk_id.ts (Qt Linguist: pyside6-linguist, or any
#      text editor; unfinished entries show in English).
#   3. pyside6-lrelease compiles kiosk_id.qm, which the app loads.
# Both tools ship in the PySide6 wheel.  Usage: scripts/update_translations.sh [--release-only]
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${PYSIDE6_BIN:-$(dirname "$(command -v python)")}
if [ -x .venv/bin/pyside6-lupdate ]; then BIN=.venv/bin; fi
LUPDATE="$BIN/pyside6-lupdate"
LRELEASE="$BIN/pyside6-lrelease"
TS=assets/translations/kiosk_id.ts
QM=assets/translations/kiosk_id.qm

if [ "${1:-}" != "--release-only" ]; then
  mapfile -t sources < <(find kiosk/ui -name '*.py' | LC_ALL=C sort)
  "$LUPDATE" -no-obsolete -locations none -target-language id_ID "${sources[@]}" -ts "$TS"
fi
"$LRELEASE" "$TS" -qm "$QM"
