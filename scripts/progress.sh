# Sourced by the set-up and build scripts: announces each long step with the time it usually
# takes on a 2-core machine, and prints a line every minute while it runs, so a newcomer can
# tell a slow first build from a hung one.
[ -n "${PROGRESS_SUMMARY+set}" ] || PROGRESS_SUMMARY=()
progress_stop_heartbeat() {
  if [ -n "${PROGRESS_HEARTBEAT:-}" ]; then
    kill "$PROGRESS_HEARTBEAT" 2>/dev/null || true
    wait "$PROGRESS_HEARTBEAT" 2>/dev/null || true
    PROGRESS_HEARTBEAT=
  fi
}

progress_close_step() {
  if [ -n "${PROGRESS_WHAT:-}" ]; then
    PROGRESS_SUMMARY+=("$(printf '  %-56s %5ss' "$PROGRESS_WHAT" $((SECONDS - PROGRESS_T0)))")
    PROGRESS_WHAT=
  fi
}

progress() { # what usual-duration
  progress_stop_heartbeat
  progress_close_step
  PROGRESS_WHAT=$1
  PROGRESS_T0=$SECONDS
  printf '\033[1;36m[%s] %s — usually %s\033[0m\n' "$(date +%H:%M:%S)" "$1" "$2"
  local what=$1 started
  started=$(date +%s)
  # Stops by itself once the script that started it has gone ($$ is that script's shell).
  ( while sleep 60 && kill -0 $$ 2>/dev/null; do
      printf '\033[2m[%s] still working: %s (%d min so far)\033[0m\n' \
        "$(date +%H:%M:%S)" "$what" $((($(date +%s) - started) / 60))
    done ) &
  PROGRESS_HEARTBEAT=$!
}

progress_done() { # prints how long each step took
  progress_stop_heartbeat
  progress_close_step
  if [ ${#PROGRESS_SUMMARY[@]} -gt 0 ]; then
    printf '%s\n' "${PROGRESS_SUMMARY[@]}"
    PROGRESS_SUMMARY=()
  fi
}
