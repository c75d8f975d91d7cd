#!/usr/bin/env bash
# The web page's tests in a real headless Chromium (Debian's chromium and chromium-driver, driven by
# Selenium from PyPI in .venv-web, which also sees Debian's PyNaCl). Screenshots: .build-web/screenshots.
# Usage: WebPage/Tests/browser-test.sh BIN_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:?BIN_DIR}
venv=$PWD/.venv-web
if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c "import selenium, axe_selenium_python" 2>/dev/null; then
  rm -rf "$venv"
  /usr/bin/python3 -m venv --system-site-packages "$venv"
  "$venv/bin/pip" install -q "selenium==4.51.0" "axe-selenium-python==2.1.6"
fi
"$venv/bin/python" WebPage/Tests/page_test.py "$bin" "$PWD/.build-web/screenshots"
"$venv/bin/python" WebPage/Tests/signin_test.py "$bin" "$PWD/.build-web/screenshots"
"$venv/bin/python" WebPage/Tests/audit_test.py "$bin" "$PWD/.build-web/screenshots"
