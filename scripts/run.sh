#!/usr/bin/env bash
# Fresh machine to the browser app: install (once), build or refresh the index, start the app.
#   bash scripts/run.sh                      # http://127.0.0.1:8501
#   PORT=8080 bash scripts/run.sh            # another port
#   ADDRESS=0.0.0.0 bash scripts/run.sh      # open to the network (default: this machine only)
. "$(dirname "$0")/bootstrap.sh"
rag build   # only new or changed passages are embedded; quick when nothing changed
port="${PORT:-8501}"
address="${ADDRESS:-127.0.0.1}"
echo "Starting the app: open http://${address/0.0.0.0/127.0.0.1}:${port} in your browser (Ctrl-C stops it)."
exec streamlit run app.py --server.address "$address" --server.port "$port" \
  --server.headless true --browser.gatherUsageStats false
