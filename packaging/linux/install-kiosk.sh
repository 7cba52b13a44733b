#!/usr/bin/env bash
# Install (or update) the Kiosk screen app @VERSION@ from this unpacked tarball.
#
# As root: the app goes to /opt/kiosk, the launcher to /usr/local/bin/kiosk, the
# menu entry to /usr/share/applications.  As a normal user: the same under
# ~/.local.  Re-running it with a newer tarball is the update; the config is
# only touched when --server/--room/--token are given.  See DEPLOY.md.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
VERSION="@VERSION@"
SITE_CONFIG=/etc/xdg/kiosk/kiosk.toml
ROOM_RE='^(display|board|(kasir|tenant|user)-[1-9][0-9]{0,8})$'
URL_RE='^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/%-]*)?$'
TOKEN_RE='^[A-Za-z0-9._~+/=-]{8,512}$'

usage() {
  cat <<EOF
Install Kiosk $VERSION.

usage: $0 [--server URL] [--room ROOM] [--token TOKEN] [--autostart] [--user NAME] [--prefix DIR] [--destdir DIR]

  --server URL   order server address, e.g. http://192.168.1.10:5000
  --room ROOM    display, board, kasir-N, tenant-N or user-N
  --token TOKEN  this screen's device token (from: kiosk-server devices add)
  --autostart    start Kiosk fullscreen when the desktop session starts
  --user NAME    (root) provision NAME's own config and autostart (recommended:
                 the token is then readable by that account only); without it,
                 root writes $SITE_CONFIG and /etc/xdg/autostart for every user
  --prefix DIR   where the app goes (default /opt/kiosk as root, ~/.local/opt/kiosk otherwise)
  --destdir DIR  write everything under DIR as if it were / (packagers, tests); the
                 launcher and menu entries still name the real paths
EOF
}

die() { printf 'install.sh: %s\n' "$*" >&2; exit 2; }
say() { printf '%s\n' "$*"; }

SERVER="" ROOM="" TOKEN="" AUTOSTART=0 KIOSK_USER="" PREFIX="" DESTDIR=""
need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --server) need_value "$@"; SERVER=$2; shift 2 ;;
    --server=*) SERVER=${1#*=}; shift ;;
    --room) need_value "$@"; ROOM=$2; shift 2 ;;
    --room=*) ROOM=${1#*=}; shift ;;
    --token) need_value "$@"; TOKEN=$2; shift 2 ;;
    --token=*) TOKEN=${1#*=}; shift ;;
    --user) need_value "$@"; KIOSK_USER=$2; shift 2 ;;
    --user=*) KIOSK_USER=${1#*=}; shift ;;
    --prefix) need_value "$@"; PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#*=}; shift ;;
    --destdir) need_value "$@"; DESTDIR=$2; shift 2 ;;
    --destdir=*) DESTDIR=${1#*=}; shift ;;
    --autostart) AUTOSTART=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1'; allowed: --server --room --token --autostart --user --prefix --destdir --help" ;;
  esac
done

# Refuse bad values here, with the rule, rather than leave a screen that fails at start.
[ -z "$SERVER" ] || [[ $SERVER =~ $URL_RE ]] ||
  die "--server '$SERVER' is not an http:// or https:// address such as http://192.168.1.10:5000"
[ -z "$ROOM" ] || [[ $ROOM =~ $ROOM_RE ]] ||
  die "--room '$ROOM' is not allowed; use display, board, kasir-N, tenant-N or user-N (N a positive whole number)"
[ -z "$TOKEN" ] || [[ $TOKEN =~ $TOKEN_RE ]] ||
  die "--token does not look like a device token (8-512 characters of A-Z a-z 0-9 . _ ~ + / = -)"
[ -x "$HERE/kiosk/kiosk" ] || die "$HERE/kiosk/kiosk is missing: run install.sh from the unpacked tarball"

# The bundle needs the glibc it was built against (or newer); say so instead of a loader error later.
if [ -f "$HERE/GLIBC_MINIMUM" ] && command -v getconf >/dev/null 2>&1; then
  need=$(cat "$HERE/GLIBC_MINIMUM")
  have=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
  if [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -n1)" != "$need" ]; then
    die "this build needs glibc $need or newer and this system has $have; use a tarball built on this distribution release or an older one (see DEPLOY.md, Building)"
  fi
fi

if [ "$(id -u)" -eq 0 ]; then
  PREFIX=${PREFIX:-/opt/kiosk}
  BIN_DIR=/usr/local/bin
  APPS_DIR=/usr/share/applications
  if [ -n "$KIOSK_USER" ]; then
    USER_HOME=$(getent passwd "$KIOSK_USER" | cut -d: -f6) || die "--user $KIOSK_USER: no such account"
    [ -n "$USER_HOME" ] || die "--user $KIOSK_USER: the account has no home directory"
    CONFIG_FILE=$USER_HOME/.config/kiosk/kiosk.toml
    AUTOSTART_DIR=$USER_HOME/.config/autostart
  else
    CONFIG_FILE=$SITE_CONFIG
    AUTOSTART_DIR=/etc/xdg/autostart
  fi
else
  [ -z "$KIOSK_USER" ] || [ "$KIOSK_USER" = "$(id -un)" ] || die "--user needs root (run with sudo)"
  KIOSK_USER=""
  PREFIX=${PREFIX:-$HOME/.local/opt/kiosk}
  BIN_DIR=$HOME/.local/bin
  APPS_DIR=${XDG_DATA_HOME:-$HOME/.local/share}/applications
  CONFIG_FILE=${XDG_CONFIG_HOME:-$HOME/.config}/kiosk/kiosk.toml
  AUTOSTART_DIR=${XDG_CONFIG_HOME:-$HOME/.config}/autostart
fi
case "$PREFIX" in /*) ;; *) die "--prefix must be an absolute path, got '$PREFIX'" ;; esac
case "$DESTDIR" in "" | /*) ;; *) die "--destdir must be an absolute path, got '$DESTDIR'" ;; esac
# Where files are written (under --destdir) versus the paths they name at run time.
D=$DESTDIR

# Files owned by the kiosk account when root provisions someone else's home.
give_to_user() { [ -z "$KIOSK_USER" ] || chown "$KIOSK_USER": "$@"; }
make_user_dir() { [ -d "$1" ] || { mkdir -p "$1" && give_to_user "$1"; }; }

old_manifest=$(cat "$D$PREFIX/.install-manifest" 2>/dev/null || true)

# 1. The app: copied beside the old one, then swapped in, so a failed copy leaves the old app working.
mkdir -p "$(dirname "$D$PREFIX")"
rm -rf "$D$PREFIX.new"
cp -a "$HERE/kiosk" "$D$PREFIX.new"
cp "$HERE/uninstall.sh" "$D$PREFIX.new/uninstall.sh"
[ ! -f "$HERE/DEPLOY.md" ] || cp "$HERE/DEPLOY.md" "$D$PREFIX.new/DEPLOY.md"
echo "$VERSION" >"$D$PREFIX.new/VERSION"
if [ -d "$D$PREFIX" ]; then
  old=$(cat "$D$PREFIX/VERSION" 2>/dev/null || echo unknown)
  say "updating Kiosk $old -> $VERSION in $PREFIX"
  rm -rf "$D$PREFIX.old" && mv "$D$PREFIX" "$D$PREFIX.old"
fi
mv "$D$PREFIX.new" "$D$PREFIX"
rm -rf "$D$PREFIX.old"

# 2. The launcher: falls back to the admin's system-wide config when the user has none.
mkdir -p "$D$BIN_DIR"
cat >"$D$BIN_DIR/kiosk" <<EOF
#!/bin/sh
# Kiosk launcher (installed by install.sh, Kiosk $VERSION).  A user's own
# kiosk.toml wins; without one, the system-wide file an admin provisioned is used.
if [ -z "\${KIOSK_CONFIG:-}" ] && [ ! -f "\${XDG_CONFIG_HOME:-\$HOME/.config}/kiosk/kiosk.toml" ] && [ -f $SITE_CONFIG ]; then
  KIOSK_CONFIG=$SITE_CONFIG
  export KIOSK_CONFIG
fi
exec "$PREFIX/kiosk" "\$@"
EOF
chmod 755 "$D$BIN_DIR/kiosk"

# 3. Menu entry and, if asked, the autostart entry (fullscreen).
icon="$PREFIX/_internal/assets/icons/kiosk.png"
[ -f "$D$icon" ] || icon=kiosk
render_desktop() { sed -e "s|@BIN@|$BIN_DIR|g" -e "s|@ICON@|$icon|g" "$1" >"$2" && chmod 644 "$2"; }
mkdir -p "$D$APPS_DIR"
render_desktop "$HERE/kiosk.desktop" "$D$APPS_DIR/kiosk.desktop"
manifest=("$BIN_DIR/kiosk" "$APPS_DIR/kiosk.desktop")
if [ "$AUTOSTART" -eq 1 ]; then
  make_user_dir "$D$(dirname "$AUTOSTART_DIR")"
  make_user_dir "$D$AUTOSTART_DIR"
  render_desktop "$HERE/kiosk-autostart.desktop" "$D$AUTOSTART_DIR/kiosk.desktop"
  give_to_user "$D$AUTOSTART_DIR/kiosk.desktop"
  manifest+=("$AUTOSTART_DIR/kiosk.desktop")
  say "autostart: $AUTOSTART_DIR/kiosk.desktop"
fi

# 4. Provisioning: upsert the given keys; other settings in an existing file are kept.
toml_set() { # file key toml-value; values were validated above: no quotes, backslashes or spaces
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  if [ -f "$1" ]; then cat "$1" >"$tmp"; fi
  awk -v key="$2" -v line="$2 = $3" '
    $0 ~ "^[ \t]*" key "[ \t]*=" { if (!done) print line; done = 1; next }
    { print }
    END { if (!done) print line }' "$tmp" >"$tmp.out"
  mv "$tmp.out" "$tmp"
  mv "$tmp" "$1"
}
if [ -n "$SERVER$ROOM$TOKEN" ]; then
  config_dir=$D$(dirname "$CONFIG_FILE")
  if [ -n "$KIOSK_USER" ]; then make_user_dir "$(dirname "$config_dir")"; fi
  make_user_dir "$config_dir"
  [ -f "$D$CONFIG_FILE" ] || echo "# Kiosk settings; see DEPLOY.md" >"$D$CONFIG_FILE"
  [ -z "$SERVER" ] || toml_set "$D$CONFIG_FILE" server_url "\"$SERVER\""
  [ -z "$ROOM" ] || toml_set "$D$CONFIG_FILE" room "\"$ROOM\""
  [ -z "$TOKEN" ] || toml_set "$D$CONFIG_FILE" token "\"$TOKEN\""
  if [ "$CONFIG_FILE" = "$SITE_CONFIG" ]; then
    chmod 644 "$D$CONFIG_FILE"
    [ -z "$TOKEN" ] || say "warning: $CONFIG_FILE is readable by every local account; use --user NAME to keep the token private"
  else
    chmod 600 "$D$CONFIG_FILE"
    give_to_user "$D$CONFIG_FILE"
  fi
  say "config: $CONFIG_FILE"
fi
# Recorded even when not written now: uninstall.sh --purge removes the settings of this kind of install.
manifest+=("config:$CONFIG_FILE")

# What uninstall.sh removes (config only with --purge).
{
  [ -z "$old_manifest" ] || printf '%s\n' "$old_manifest"
  printf '%s\n' "${manifest[@]}"
} | sort -u >"$D$PREFIX/.install-manifest"

[ -n "$D" ] || ! command -v update-desktop-database >/dev/null 2>&1 || update-desktop-database "$APPS_DIR" >/dev/null 2>&1 || true
say "Kiosk $VERSION installed in $PREFIX; start it with $BIN_DIR/kiosk (uninstall: $PREFIX/uninstall.sh)"
case ":$PATH:" in *":$BIN_DIR:"*) ;; *) say "note: $BIN_DIR is not on PATH" ;; esac
