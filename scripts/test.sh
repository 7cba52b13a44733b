#!/usr/bin/env bash
# Run the test suite with the services it needs: a PulseAudio null sink (so
# sounds really play) and an Xvfb display (so screenshots are of real windows).
# Expects the venv made by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d /tmp/kiosk-xdg.XXXXXX)}
chmod 700 "$XDG_RUNTIME_DIR"

cleanup=()
# shellcheck disable=SC2329  # invoked by the EXIT trap
stop_services() {
  local pid
  for pid in "${cleanup[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap stop_services EXIT

# PulseAudio as a kitchen PC runs it: its desktop configuration (default.pa:
# suspend-on-idle, a null sink when there is no card), not a minimal -n one.
# The Qt 6.11 QSoundEffect freeze only showed with that configuration.  If the
# desktop configuration cannot start here, fall back to a bare null sink.
if command -v pulseaudio >/dev/null && ! pulseaudio --check 2>/dev/null; then
  if ! pulseaudio --daemonize=yes --exit-idle-time=-1 >/dev/null 2>&1; then
    echo "warning: pulseaudio with its desktop configuration did not start; using a bare null sink"
    pulseaudio --daemonize=yes --exit-idle-time=-1 -n \
      --load="module-null-sink sink_name=nullsink" \
      --load=module-native-protocol-unix >/dev/null 2>&1 || echo "warning: pulseaudio did not start"
  fi
fi
if command -v pactl >/dev/null && pactl info >/dev/null 2>&1; then
  export KIOSK_REQUIRE_SOUND=1  # sound tests fail, not skip, from here on
else
  echo "warning: no sound server; sound tests will skip"
fi

if [ -z "${DISPLAY:-}" ] && command -v Xvfb >/dev/null; then
  display_number=$((90 + RANDOM % 100))
  Xvfb ":$display_number" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
  cleanup+=("$!")
  export DISPLAY=":$display_number"
fi

mkdir -p test-artifacts
status=0
.venv/bin/pytest "$@" || status=$?
exit "$status"
