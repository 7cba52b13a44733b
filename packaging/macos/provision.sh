#!/bin/bash
# Kiosk @VERSION@ for macOS: install the app, provision a screen, start it at login.
#
#   ./provision.sh --install --server http://192.168.1.10:5000 --room display --token T --autostart
#   sudo ./provision.sh --user kitchen ...     (provision another account)
#   ./provision.sh --remove [--purge]          (LaunchAgent and app; --purge: the settings too)
#
# Written for the bash 3.2 that ships with macOS (no associative arrays, no sed -i).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
VERSION="@VERSION@"
LABEL=org.kiosk.screen
APP=/Applications/Kiosk.app
ROOM_RE='^(display|board|(kasir|tenant|user)-[1-9][0-9]{0,8})$'
URL_RE='^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/%-]*)?$'
TOKEN_RE='^[A-Za-z0-9._~+/=-]{8,512}$'

die() { printf 'provision.sh: %s\n' "$*" >&2; exit 2; }
say() { printf '%s\n' "$*"; }
usage() {
  cat <<EOF
Kiosk $VERSION for macOS.

usage: $0 [--install] [--server URL] [--room ROOM] [--token TOKEN] [--autostart] [--user NAME] [--app PATH]
       $0 --remove [--purge] [--user NAME]

  --install      copy Kiosk.app from this disk image to $APP (replacing an older one)
  --server URL   order server address, e.g. http://192.168.1.10:5000
  --room ROOM    display, board, kasir-N, tenant-N or user-N
  --token TOKEN  this screen's device token (from: kiosk-server devices add)
  --autostart    start Kiosk fullscreen at login (LaunchAgent $LABEL)
  --user NAME    (sudo) provision NAME instead of the current account
  --app PATH     where Kiosk.app is (default $APP)
  --remove       remove the LaunchAgent and the app; --purge also the settings
EOF
}

INSTALL=0 REMOVE=0 PURGE=0 AUTOSTART=0 SERVER="" ROOM="" TOKEN="" TARGET_USER=""
need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --install) INSTALL=1; shift ;;
    --remove) REMOVE=1; shift ;;
    --purge) PURGE=1; shift ;;
    --autostart) AUTOSTART=1; shift ;;
    --server) need_value "$@"; SERVER=$2; shift 2 ;;
    --room) need_value "$@"; ROOM=$2; shift 2 ;;
    --token) need_value "$@"; TOKEN=$2; shift 2 ;;
    --user) need_value "$@"; TARGET_USER=$2; shift 2 ;;
    --app) need_value "$@"; APP=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1'; see --help" ;;
  esac
done

[ -z "$SERVER" ] || [[ $SERVER =~ $URL_RE ]] ||
  die "--server '$SERVER' is not an http:// or https:// address such as http://192.168.1.10:5000"
[ -z "$ROOM" ] || [[ $ROOM =~ $ROOM_RE ]] ||
  die "--room '$ROOM' is not allowed; use display, board, kasir-N, tenant-N or user-N (N a positive whole number)"
[ -z "$TOKEN" ] || [[ $TOKEN =~ $TOKEN_RE ]] ||
  die "--token does not look like a device token (8-512 characters of A-Z a-z 0-9 . _ ~ + / = -)"

if [ -n "$TARGET_USER" ] && [ "$TARGET_USER" != "$(id -un)" ]; then
  [ "$(id -u)" -eq 0 ] || die "--user $TARGET_USER needs sudo"
  USER_HOME=$(dscl . -read "/Users/$TARGET_USER" NFSHomeDirectory 2>/dev/null | awk '{print $2}')
  [ -n "$USER_HOME" ] || die "--user $TARGET_USER: no such account"
else
  TARGET_USER=$(id -un)
  USER_HOME=$HOME
fi
TARGET_UID=$(id -u "$TARGET_USER")
# platformdirs.user_config_dir("kiosk") on macOS: where the app reads kiosk.toml.
CONFIG_FILE="$USER_HOME/Library/Application Support/kiosk/kiosk.toml"
AGENT="$USER_HOME/Library/LaunchAgents/$LABEL.plist"
own() { [ "$(id -u)" -ne 0 ] || chown "$TARGET_USER" "$@"; }

if [ "$REMOVE" -eq 1 ]; then
  launchctl bootout "gui/$TARGET_UID/$LABEL" 2>/dev/null || true
  rm -f "$AGENT" && say "removed $AGENT"
  if [ -d "$APP" ] && [ -x "$APP/Contents/MacOS/kiosk" ]; then rm -rf "$APP" && say "removed $APP"; fi
  if [ "$PURGE" -eq 1 ]; then
    rm -f "$CONFIG_FILE" && say "removed $CONFIG_FILE"
  else
    say "kept $CONFIG_FILE (--purge removes it); logs: $USER_HOME/Library/Logs/kiosk"
  fi
  exit 0
fi

if [ "$INSTALL" -eq 1 ]; then
  [ -d "$HERE/Kiosk.app" ] || die "Kiosk.app is not next to this script; run it from the opened disk image"
  rm -rf "$APP.new"
  ditto "$HERE/Kiosk.app" "$APP.new"
  rm -rf "$APP" && mv "$APP.new" "$APP"
  # Unsigned builds: without this Gatekeeper blocks the first start on an unattended screen.
  xattr -dr com.apple.quarantine "$APP" 2>/dev/null || true
  say "installed $APP ($VERSION)"
fi
[ -x "$APP/Contents/MacOS/kiosk" ] || die "$APP is missing: use --install or --app PATH"

toml_set() { # file key toml-value (validated above: no quotes, backslashes or spaces)
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  awk -v key="$2" -v line="$2 = $3" '
    $0 ~ "^[ \t]*" key "[ \t]*=" { if (!done) print line; done = 1; next }
    { print }
    END { if (!done) print line }' "$1" >"$tmp"
  mv "$tmp" "$1"
}
if [ -n "$SERVER$ROOM$TOKEN" ]; then
  mkdir -p "$(dirname "$CONFIG_FILE")"
  own "$(dirname "$CONFIG_FILE")"
  [ -f "$CONFIG_FILE" ] || echo "# Kiosk settings; see DEPLOY.md" >"$CONFIG_FILE"
  [ -z "$SERVER" ] || toml_set "$CONFIG_FILE" server_url "\"$SERVER\""
  [ -z "$ROOM" ] || toml_set "$CONFIG_FILE" room "\"$ROOM\""
  [ -z "$TOKEN" ] || toml_set "$CONFIG_FILE" token "\"$TOKEN\""
  chmod 600 "$CONFIG_FILE"
  own "$CONFIG_FILE"
  say "config: $CONFIG_FILE"
fi

if [ "$AUTOSTART" -eq 1 ]; then
  mkdir -p "$(dirname "$AGENT")"
  own "$(dirname "$AGENT")"
  awk -v app="$APP/Contents/MacOS/kiosk" \
    '{ sub("/Applications/Kiosk.app/Contents/MacOS/kiosk", app); print }' "$HERE/$LABEL.plist" >"$AGENT"
  chmod 644 "$AGENT"
  own "$AGENT"
  # Load it now if the account is logged in; otherwise it starts at the next login.
  launchctl bootout "gui/$TARGET_UID/$LABEL" 2>/dev/null || true
  launchctl bootstrap "gui/$TARGET_UID" "$AGENT" 2>/dev/null || say "note: $LABEL starts at the next login of $TARGET_USER"
  say "autostart: $AGENT"
fi
say "Kiosk $VERSION ready for $TARGET_USER"
