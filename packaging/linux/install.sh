#!/usr/bin/env bash
# Install (or upgrade, or remove) a built Frontdesk bundle on Linux.
#
#   ./install.sh                        # from inside an unpacked bundle folder
#   packaging/linux/install.sh build/dist/frontdesk-0.1.0-linux-x86_64.tar.gz
#   PREFIX=/opt/frontdesk-root sudo -E ./install.sh    # system-wide (default: ~/.local)
#   ./install.sh --uninstall
#
# Puts the app in $PREFIX/lib/frontdesk, the `frontdesk` command in $PREFIX/bin,
# and a menu entry with its icon in $PREFIX/share. Upgrading is running it again
# with the new bundle: the old folder is replaced only once the new one is fully
# in place. The clinic's data is not here — it stays in the user data folder and
# is migrated (after a backup copy) the next time Frontdesk starts.
set -euo pipefail

PREFIX="${PREFIX:-$HOME/.local}"
LIBDIR="$PREFIX/lib/frontdesk"
BINDIR="$PREFIX/bin"
APPS="$PREFIX/share/applications"
ICONS="$PREFIX/share/icons/hicolor/scalable/apps"
HERE="$(cd "$(dirname "$0")" && pwd)"

refresh_menus() {  # best effort: not every desktop has these tools
    command -v update-desktop-database >/dev/null && update-desktop-database -q "$APPS" || true
    command -v gtk-update-icon-cache >/dev/null &&
        gtk-update-icon-cache -q -t "$PREFIX/share/icons/hicolor" 2>/dev/null || true
}

if [[ "${1:-}" == "--uninstall" ]]; then
    rm -rf "$LIBDIR" "$BINDIR/frontdesk" "$APPS/frontdesk.desktop" "$ICONS/frontdesk.svg"
    refresh_menus
    echo "Removed Frontdesk from $PREFIX (the clinic database was left where it is)."
    exit 0
fi

source="${1:-$HERE}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [[ -f "$source" ]]; then
    tar -C "$scratch" -xzf "$source"
    source="$scratch/frontdesk"
fi
[[ -x "$source/frontdesk" ]] || { echo "install.sh: no Frontdesk bundle in $source" >&2; exit 1; }
desktop_file="$source/frontdesk.desktop"
[[ -f "$desktop_file" ]] || desktop_file="$HERE/frontdesk.desktop"
icon="$source/_internal/resources/icons/app.svg"

mkdir -p "$PREFIX/lib" "$BINDIR" "$APPS" "$ICONS"
staged="$LIBDIR.new"
rm -rf "$staged"
cp -a "$source" "$staged"
"$staged/frontdesk" --version >/dev/null  # never replace a working install with a broken one
rm -rf "$LIBDIR.old"
[[ -d "$LIBDIR" ]] && mv "$LIBDIR" "$LIBDIR.old"
mv "$staged" "$LIBDIR"
rm -rf "$LIBDIR.old"

ln -sfn "$LIBDIR/frontdesk" "$BINDIR/frontdesk"
sed "s|^Exec=.*|Exec=$LIBDIR/frontdesk|" "$desktop_file" > "$APPS/frontdesk.desktop"
cp "$icon" "$ICONS/frontdesk.svg"
refresh_menus
echo "Installed $("$BINDIR/frontdesk" --version) in $LIBDIR"
case ":$PATH:" in *":$BINDIR:"*) ;; *) echo "Add $BINDIR to your PATH to type 'frontdesk'." ;; esac
