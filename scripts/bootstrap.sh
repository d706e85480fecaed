# Sourced by the other scripts: make .venv (once) with the project installed, and go offline.
# Usage: . scripts/bootstrap.sh [EXTRA]   e.g. ". scripts/bootstrap.sh test"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 ORT_DISABLE_TELEMETRY=1
extra="${1:-}"
stamp=".venv/.installed${extra:+-$extra}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  [ -d .venv ] || python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  # torch is pinned in pyproject.toml to the CPU build on disk; see the comment there.
  .venv/bin/python -m pip install -q -e ".${extra:+[$extra]}"
  touch "$stamp"
fi
# shellcheck disable=SC1091
. .venv/bin/activate
