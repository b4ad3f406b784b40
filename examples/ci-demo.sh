#!/usr/bin/env bash
# Plays a CI runner in a tmux pane for the agent board demo (examples/policy.yaml).
#
#   examples/ci-demo.sh            run here (in a pane whose window or title is "ci")
#   examples/ci-demo.sh --tmux     open it in session demo-ci, window ci, on the bridge's
#                                  tmux server (socket $TMUX_BRIDGE_SOCKET, default tmux-bridge)
#
# It announces itself with a SENTRY message, then waits for the commands the policy
# types into the pane (lint, build, test) and prints the markers the policy waits for.
# Environment: CI_DEMO_TEST_FAILURES (default 1): how many test runs fail before one
# passes; CI_DEMO_LINT_FAILURES (default 0); CI_DEMO_DELAY (seconds per step, default 0.4).
set -u

if [[ "${1:-}" == "--tmux" ]]; then
  socket="${TMUX_BRIDGE_SOCKET:-tmux-bridge}"
  script="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
  tmux -L "$socket" new-session -d -s demo-ci -n ci "bash $(printf '%q' "$script")"
  echo "started: tmux -L $socket attach -t demo-ci"
  exit 0
fi

test_failures="${CI_DEMO_TEST_FAILURES:-1}"
lint_failures="${CI_DEMO_LINT_FAILURES:-0}"
delay="${CI_DEMO_DELAY:-0.4}"

say() { printf '[ci] %s\n' "$*"; }
pause() { sleep "$delay"; }
# The prompt only on a terminal: there the typed command is echoed and ends the line.
prompt() { if [[ -t 0 ]]; then printf 'ci> '; fi; }

printf '\033]2;ci\033\\'            # pane title "ci" (the policy matches it)
say "runner ready: waiting for lint, build or test (the agent types them)"
echo '### SENTRY {"type":"CI_READY","runner":"ci-demo"}'
prompt

while IFS= read -r command; do
  case "$command" in
    lint)
      say "linting 12 files"
      pause
      if (( lint_failures > 0 )); then
        lint_failures=$((lint_failures - 1))
        say "src/app.ts:3:7 'unused' is assigned a value but never used"
        say "lint: 1 problems"
      else
        say "lint: 0 problems"
      fi
      ;;
    build)
      say "building dist/app.tgz"
      for pct in 10 35 60 85 100; do
        printf '\r[ci] build progress %3d%%' "$pct"   # a progress bar: \r, no newline
        pause
      done
      printf '\r\033[K'
      say "build finished"
      echo '### SENTRY {"type":"BUILD_OK","artifact":"dist/app.tgz"}'
      ;;
    test)
      say "running 42 tests"
      pause
      if (( test_failures > 0 )); then
        test_failures=$((test_failures - 1))
        say "FAIL: 1 of 42 tests failed (test/network.test.ts: socket hang up)"
      else
        say "42 tests passed"
      fi
      ;;
    quit | exit)
      say "bye"
      exit 0
      ;;
    "") ;;
    *) say "unknown command: $command (try lint, build, test or quit)" ;;
  esac
  prompt
done
