#!/usr/bin/env bash
# Source this from .ci/run: installs Debian's Chromium for the status-page browser tests
# (tests/report/test_browser.py drives it with Playwright, executable /usr/bin/chromium).
# If it cannot be had, it says why; those tests then skip with that reason shown.
if [ ! -x /usr/bin/chromium ]; then
  echo "ci: installing Chromium (Debian package)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "ci: could not install Chromium; browser tests will be skipped"
fi
