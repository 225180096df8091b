#!/usr/bin/env bash
# Build the one-folder Frontdesk bundle with PyInstaller, then check that it works.
#
#   packaging/build.sh                 # uses .venv/bin/python, or $PYTHON
#   PYTHON=/path/to/python packaging/build.sh
#
# Needs `pip install -e '.[packaging]'` in that Python. Output: build/dist/frontdesk/
# and build/dist/frontdesk-<version>-linux-<arch>.tar.gz. The checks run the *built*
# executable, never the source tree: `--version`, then `run --smoke-test`, which
# migrates a throwaway SQLite file, loads a small demo clinic, writes a day sheet
# and an .ics, and opens the main window offscreen until its event loop starts.
# Takes a few minutes; `pytest -m packaging` runs this script too.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
DIST=build/dist
WORK=build/pyinstaller
APP="$DIST/frontdesk/frontdesk"

step() { printf '\n== %s\n' "$*"; }
seconds() { echo $(( $(date +%s) - $1 )); }

step "PyInstaller ($("$PYTHON" -m PyInstaller --version))"
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/frontdesk.spec
build_time=$(seconds "$start")
echo "built $APP in ${build_time}s ($(du -sh "$DIST/frontdesk" | cut -f1))"

step "compiled bytecode only"
# PyInstaller puts Frontdesk's modules, compiled, in the executable's archive (PYZ):
# no start-up compiles them. Only the Alembic migrations are files, read as scripts.
sources=$(find "$DIST/frontdesk" -path '*/desktop/*.py' ! -path '*/migrations/*' | head -3)
[[ -z "$sources" ]] || { echo "the bundle carries source, not bytecode: $sources" >&2; exit 1; }
echo "no module of Frontdesk's is shipped as source"

step "frontdesk --version"
start=$(date +%s)
version_line=$("$APP" --version)
echo "$version_line ($(seconds "$start")s)"
expected="frontdesk $("$PYTHON" -c 'import desktop; print(desktop.__version__)')"
[[ "$version_line" == "$expected" ]] || { echo "expected '$expected'" >&2; exit 1; }

step "frontdesk run --smoke-test (offscreen, throwaway database)"
start=$(date +%s)
# A private HOME: the smoke test must not depend on, or touch, this user's files.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
HOME="$scratch" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" \
    XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/cache" \
    QT_QPA_PLATFORM=offscreen "$APP" run --smoke-test
echo "smoke test took $(seconds "$start")s"

step "install into a scratch prefix"
# The archive carries its installer and menu entry, so a clinic needs nothing else.
cp packaging/linux/install.sh packaging/linux/frontdesk.desktop "$DIST/frontdesk/"
PREFIX="$scratch/prefix" "$DIST/frontdesk/install.sh" "$DIST/frontdesk"
"$scratch/prefix/bin/frontdesk" --version
[[ -f "$scratch/prefix/share/applications/frontdesk.desktop" ]]
[[ -f "$scratch/prefix/share/icons/hicolor/scalable/apps/frontdesk.svg" ]]

step "archive"
version=${expected#frontdesk }
archive="$DIST/frontdesk-$version-linux-$(uname -m).tar.gz"
tar -C "$DIST" -czf "$archive" frontdesk
echo "$archive ($(du -h "$archive" | cut -f1))"
echo
echo "Bundle OK (PyInstaller ${build_time}s). To install: tar xzf $(basename "$archive") && ./frontdesk/install.sh"
