#!/usr/bin/env bash
# Fresh machine to answers: install (once), build or refresh the index, ask an example.
. "$(dirname "$0")/bootstrap.sh"
rag build
rag ask "Which countries besides the two Koreas and the US must take part in a peace regime?"
