#!/usr/bin/env bash
# Install (or update) the Kiosk server @VERSION@ as a systemd service.
#
#   sudo ./install.sh [--host 0.0.0.0] [--port 5000] [--admin-token TOKEN] [--no-start]
#
# The app goes to /opt/kiosk-server, the unit to /etc/systemd/system, the
# settings to /etc/kiosk-server/kiosk-server.env (an admin token is generated on
# the first install), the database to /var/lib/kiosk-server/kiosk.db.
# Re-running it with a newer tarball is the update: settings and data are kept.
# --destdir DIR installs into a staging root (packagers, tests): no user is
# created and systemd is not touched.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
VERSION="@VERSION@"
SERVICE_USER=kiosk-server
DB_DIR=/var/lib/kiosk-server
DB_FILE=$DB_DIR/kiosk.db

die() { printf 'install.sh: %s\n' "$*" >&2; exit 2; }
say() { printf '%s\n' "$*"; }
usage() {
  cat <<EOF
Install Kiosk server $VERSION as the systemd service kiosk-server.

usage: sudo $0 [--host ADDR] [--port N] [--admin-token TOKEN] [--prefix DIR] [--no-start] [--destdir DIR]

  --host ADDR          listen address (default 0.0.0.0, or the value already in the env file)
  --port N             listen port, 1024-65535 (default 5000, or the value already in the env file)
  --admin-token TOKEN  set the admin token (default: keep the current one; generate one on first install)
  --prefix DIR         where the app goes (default /opt/kiosk-server)
  --no-start           install and enable, but do not (re)start the service now
  --destdir DIR        install under DIR as if it were / (no user, no systemctl)
EOF
}

HOST="" PORT="" ADMIN_TOKEN="" PREFIX=/opt/kiosk-server START=1 DESTDIR=""
need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --host) need_value "$@"; HOST=$2; shift 2 ;;
    --host=*) HOST=${1#*=}; shift ;;
    --port) need_value "$@"; PORT=$2; shift 2 ;;
    --port=*) PORT=${1#*=}; shift ;;
    --admin-token) need_value "$@"; ADMIN_TOKEN=$2; shift 2 ;;
    --admin-token=*) ADMIN_TOKEN=${1#*=}; shift ;;
    --prefix) need_value "$@"; PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#*=}; shift ;;
    --destdir) need_value "$@"; DESTDIR=$2; shift 2 ;;
    --destdir=*) DESTDIR=${1#*=}; shift ;;
    --no-start) START=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1'; allowed: --host --port --admin-token --prefix --no-start --destdir --help" ;;
  esac
done

[ -z "$HOST" ] || [[ $HOST =~ ^[A-Za-z0-9.:-]+$ ]] || die "--host '$HOST' is not an address (e.g. 0.0.0.0, 127.0.0.1, ::)"
if [ -n "$PORT" ]; then
  [[ $PORT =~ ^[0-9]+$ ]] && [ "$PORT" -ge 1024 ] && [ "$PORT" -le 65535 ] ||
    die "--port '$PORT' is not allowed; use 1024-65535 (the service runs without root; put a reverse proxy on 80/443)"
fi
[ -z "$ADMIN_TOKEN" ] || [[ $ADMIN_TOKEN =~ ^[A-Za-z0-9._~+/=-]{16,512}$ ]] ||
  die "--admin-token must be 16-512 characters of A-Z a-z 0-9 . _ ~ + / = -"
case "$PREFIX" in /*) ;; *) die "--prefix must be an absolute path, got '$PREFIX'" ;; esac
[ -x "$HERE/kiosk-server/kiosk-server" ] || die "$HERE/kiosk-server/kiosk-server is missing: run install.sh from the unpacked tarball"

# The bundle needs the glibc it was built against (or newer); say so instead of a loader error later.
if [ -f "$HERE/GLIBC_MINIMUM" ] && command -v getconf >/dev/null 2>&1; then
  need=$(cat "$HERE/GLIBC_MINIMUM")
  have=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
  if [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -n1)" != "$need" ]; then
    die "this build needs glibc $need or newer and this system has $have; use a tarball built on this distribution release or an older one (see DEPLOY.md, Building)"
  fi
fi
if [ -z "$DESTDIR" ]; then
  [ "$(id -u)" -eq 0 ] || die "installing a system service needs root: sudo $0 $*"
else
  case "$DESTDIR" in /*) ;; *) die "--destdir must be an absolute path" ;; esac
fi

ROOT_PREFIX=$DESTDIR$PREFIX
ENV_DIR=$DESTDIR/etc/kiosk-server
ENV_FILE=$ENV_DIR/kiosk-server.env
UNIT_FILE=$DESTDIR/etc/systemd/system/kiosk-server.service
BIN_LINK=$DESTDIR/usr/local/bin/kiosk-server

# 1. The service account (no login, no home of its own besides the state dir).
if [ -z "$DESTDIR" ] && ! getent passwd "$SERVICE_USER" >/dev/null; then
  useradd --system --home-dir "$DB_DIR" --no-create-home --shell /usr/sbin/nologin \
    --comment "Kiosk order server" "$SERVICE_USER"
  say "created system user $SERVICE_USER"
fi

# 2. The app, swapped in whole so a failed copy leaves the old one running.
mkdir -p "$(dirname "$ROOT_PREFIX")"
rm -rf "$ROOT_PREFIX.new"
cp -a "$HERE/kiosk-server" "$ROOT_PREFIX.new"
cp "$HERE/uninstall.sh" "$ROOT_PREFIX.new/uninstall.sh"
[ ! -f "$HERE/DEPLOY.md" ] || cp "$HERE/DEPLOY.md" "$ROOT_PREFIX.new/DEPLOY.md"
echo "$VERSION" >"$ROOT_PREFIX.new/VERSION"
if [ -d "$ROOT_PREFIX" ]; then
  say "updating Kiosk server $(cat "$ROOT_PREFIX/VERSION" 2>/dev/null || echo unknown) -> $VERSION"
  rm -rf "$ROOT_PREFIX.old" && mv "$ROOT_PREFIX" "$ROOT_PREFIX.old"
fi
mv "$ROOT_PREFIX.new" "$ROOT_PREFIX"
rm -rf "$ROOT_PREFIX.old"
mkdir -p "$(dirname "$BIN_LINK")"
ln -sfn "$PREFIX/kiosk-server" "$BIN_LINK"

# 3. Settings: created once, then only the given keys change; the token is never printed.
env_set() { # key value; values validated above
  local tmp
  tmp=$(mktemp "$ENV_FILE.XXXXXX")
  awk -v key="$1" -v line="$1=$2" '
    $0 ~ "^" key "=" { if (!done) print line; done = 1; next }
    { print }
    END { if (!done) print line }' "$ENV_FILE" >"$tmp"
  chmod 640 "$tmp"
  mv "$tmp" "$ENV_FILE"
}
mkdir -p "$ENV_DIR"
if [ ! -f "$ENV_FILE" ]; then
  cp "$HERE/kiosk-server.env" "$ENV_FILE"
  if [ -z "$ADMIN_TOKEN" ]; then
    ADMIN_TOKEN=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    say "generated an admin token: sudo grep KIOSK_ADMIN_TOKEN $ENV_FILE"
  fi
fi
[ -z "$ADMIN_TOKEN" ] || env_set KIOSK_ADMIN_TOKEN "$ADMIN_TOKEN"
[ -z "$HOST" ] || env_set KIOSK_HOST "$HOST"
[ -z "$PORT" ] || env_set KIOSK_PORT "$PORT"
chmod 640 "$ENV_FILE"
if [ -z "$DESTDIR" ]; then chown root:"$SERVICE_USER" "$ENV_FILE"; fi

# 4. The unit.
mkdir -p "$(dirname "$UNIT_FILE")"
sed -e "s|@PREFIX@|$PREFIX|g" "$HERE/kiosk-server.service" >"$UNIT_FILE"
chmod 644 "$UNIT_FILE"

if [ -n "$DESTDIR" ]; then
  say "Kiosk server $VERSION staged under $DESTDIR"
  exit 0
fi
if [ ! -d /run/systemd/system ]; then
  say "systemd is not running here: installed, not started. Start by hand:"
  say "  sudo -u $SERVICE_USER $PREFIX/kiosk-server run --host 0.0.0.0 --port ${PORT:-5000} --db $DB_FILE"
  exit 0
fi
systemctl daemon-reload
systemctl enable kiosk-server.service >/dev/null
if [ "$START" -eq 1 ]; then
  systemctl restart kiosk-server.service
  port=$(sed -n 's/^KIOSK_PORT=//p' "$ENV_FILE")
  url="http://127.0.0.1:${port:-5000}/api/health"
  for _ in $(seq 1 30); do
    if curl -fsS "$url" >/dev/null 2>&1; then
      say "Kiosk server $VERSION is running: $url answers; database $DB_FILE"
      exit 0
    fi
    sleep 1
  done
  say "warning: $url did not answer within 30 s; see: journalctl -u kiosk-server -n 50"
  exit 1
fi
say "Kiosk server $VERSION installed and enabled; start it with: sudo systemctl start kiosk-server"
