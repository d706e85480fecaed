"""Stage 6, cite: a citation key or a search result in, what a reader checks out.

`lookup` finds a key's exact span and context; `references` formats Chicago and BibTeX;
`export` writes a result as Markdown or JSON; `highlight` makes safe HTML for the app.
"""
