#!/usr/bin/env bash
# Remove the Kiosk screen app: the app folder, launcher, menu and autostart
# entries that install.sh recorded.  The config (server, room, token) stays
# unless --purge is given; per-user data and logs (~/.local/share/kiosk,
# ~/.local/state/kiosk) are never touched.  See DEPLOY.md.
set -euo pipefail

die() { printf 'uninstall.sh: %s\n' "$*" >&2; exit 2; }

PURGE=0 PREFIX="" DESTDIR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --purge) PURGE=1; shift ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a value"; PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#*=}; shift ;;
    --destdir) [ $# -ge 2 ] || die "--destdir needs a value"; DESTDIR=$2; shift 2 ;;
    -h | --help) echo "usage: $0 [--purge] [--prefix DIR] [--destdir DIR]   (--purge also removes the provisioned kiosk.toml)"; exit 0 ;;
    *) die "unknown option '$1'; allowed: --purge --prefix --destdir --help" ;;
  esac
done

if [ -z "$PREFIX" ]; then
  # Run from inside an installed app folder, or the default for this account.
  here=$(cd "$(dirname "$0")" && pwd)
  if [ -z "$DESTDIR" ] && [ -f "$here/.install-manifest" ]; then
    PREFIX=$here
  elif [ "$(id -u)" -eq 0 ]; then
    PREFIX=/opt/kiosk
  else
    PREFIX=$HOME/.local/opt/kiosk
  fi
fi
D=$DESTDIR
manifest="$D$PREFIX/.install-manifest"
[ -f "$manifest" ] || die "no Kiosk installation in $PREFIX ($manifest missing); pass --prefix DIR"
[ -x "$D$PREFIX/kiosk" ] || die "$PREFIX does not look like a Kiosk app folder (no kiosk executable); refusing to delete it"

while IFS= read -r entry; do
  [ -n "$entry" ] || continue
  case "$entry" in
    config:*)
      file=${entry#config:}
      if [ "$PURGE" -eq 1 ]; then
        rm -f "$D$file" && echo "removed $file"
      else
        echo "kept $file (use --purge to remove it)"
      fi
      ;;
    *) rm -f "$D$entry" && echo "removed $entry" ;;
  esac
done <"$manifest"

rm -rf "$D$PREFIX"
echo "removed $PREFIX"
