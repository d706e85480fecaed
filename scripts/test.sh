#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: installs what is missing, then pytest.
. "$(dirname "$0")/bootstrap.sh" test
if ! command -v chromium >/dev/null; then
  echo "Installing Debian's chromium for the browser tests (needs root)..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
ruff check .
exec python -m pytest "$@"
