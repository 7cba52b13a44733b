#!/usr/bin/env bash
# Remove the Kiosk screen app: the app folder, launcher, menu and autostart
# entries that install.sh recorded.  The config (server, room, token) stays
# unless --purge is given; per-user data and logs (~/.local/share/kiosk,
# ~/.local/state/kiosk) are never touched.  See DEPLOY.md.
set -euo pipefail

die() { printf 'uninstall.sh: %s\n' "$*" >&2; exit 2; }

PURGE=0 PREFIX=""
while [ $# -gt 0 ]; do
  case "$1" in
    --purge) PURGE=1; shift ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a value"; PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#*=}; shift ;;
    -h | --help) echo "usage: $0 [--purge] [--prefix DIR]   (--purge also removes the provisioned kiosk.toml)"; exit 0 ;;
    *) die "unknown option '$1'; allowed: --purge --prefix --help" ;;
  esac
done

if [ -z "$PREFIX" ]; then
  # Run from inside an installed app folder, or the default for this account.
  here=$(cd "$(dirname "$0")" && pwd)
  if [ -f "$here/.install-manifest" ]; then
    PREFIX=$here
  elif [ "$(id -u)" -eq 0 ]; then
    PREFIX=/opt/kiosk
  else
    PREFIX=$HOME/.local/opt/kiosk
  fi
fi
manifest="$PREFIX/.install-manifest"
[ -f "$manifest" ] || die "no Kiosk installation in $PREFIX ($manifest missing); pass --prefix DIR"
[ -x "$PREFIX/kiosk" ] || die "$PREFIX does not look like a Kiosk app folder (no kiosk executable); refusing to delete it"

while IFS= read -r entry; do
  [ -n "$entry" ] || continue
  case "$entry" in
    config:*)
      file=${entry#config:}
      if [ "$PURGE" -eq 1 ]; then
        rm -f "$file" && echo "removed $file"
      else
        echo "kept $file (use --purge to remove it)"
      fi
      ;;
    *) rm -f "$entry" && echo "removed $entry" ;;
  esac
done <"$manifest"

rm -rf "$PREFIX"
echo "removed $PREFIX"
