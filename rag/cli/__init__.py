"""The `rag` command, a face over `rag.engine`: `main` holds the commands, `eval_command` the
`rag eval` command, `terminal` what they share (opening the engine with a staleness warning).
"""
