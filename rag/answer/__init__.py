"""Stage 5, answer: ranked passages in, an extractive answer (verified spans) or a refusal out.

`extraction` picks the answering sentences; `answer_type`, `quotes` and `names` are the rules
that read the question; `abstention` decides when the documents do not answer; `relevance`
puts a passage's closeness into words.
"""
