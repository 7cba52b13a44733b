#!/usr/bin/env bash
# Stop and remove the Kiosk server service and app.  The database
# (/var/lib/kiosk-server) and the settings (/etc/kiosk-server) are kept unless
# --purge is given: an uninstall must never lose a day of orders by accident.
set -euo pipefail

die() { printf 'uninstall.sh: %s\n' "$*" >&2; exit 2; }

PURGE=0 PREFIX=/opt/kiosk-server
while [ $# -gt 0 ]; do
  case "$1" in
    --purge) PURGE=1; shift ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a value"; PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#*=}; shift ;;
    -h | --help) echo "usage: sudo $0 [--purge] [--prefix DIR]   (--purge also deletes the database, settings and the service user)"; exit 0 ;;
    *) die "unknown option '$1'; allowed: --purge --prefix --help" ;;
  esac
done
[ "$(id -u)" -eq 0 ] || die "removing a system service needs root: sudo $0"

if [ -d /run/systemd/system ]; then
  systemctl disable --now kiosk-server.service 2>/dev/null || true
fi
rm -f /etc/systemd/system/kiosk-server.service
[ ! -d /run/systemd/system ] || systemctl daemon-reload
if [ "$(readlink /usr/local/bin/kiosk-server 2>/dev/null)" = "$PREFIX/kiosk-server" ]; then
  rm -f /usr/local/bin/kiosk-server
fi
if [ -x "$PREFIX/kiosk-server" ]; then
  rm -rf "$PREFIX"
  echo "removed $PREFIX"
elif [ -e "$PREFIX" ]; then
  die "$PREFIX does not look like a Kiosk server folder (no kiosk-server executable); left alone"
fi

if [ "$PURGE" -eq 1 ]; then
  rm -rf /var/lib/kiosk-server /etc/kiosk-server
  getent passwd kiosk-server >/dev/null && userdel kiosk-server || true
  echo "purged the database, the settings and the kiosk-server user"
else
  echo "kept the database in /var/lib/kiosk-server and the settings in /etc/kiosk-server (--purge removes them)"
fi
