"""Staged import of member lists (.xlsx, .csv): read → preview every row → decide duplicates → commit.

reading.py   the file, streamed, refused as a whole when it must be (size, zip bomb, encoding, not a workbook)
legacy.py    TCVN3 and VNI text detected and converted to Unicode
fields.py    the columns, their headers and synonyms, and how each cell becomes a value
layout.py    where the header is, which column is which, which rows are data
rows.py      one row: cells → member fields, with per-column errors; the person rules of the registry
matching.py  duplicates within the file and against the registry; what a row would change
services.py  the API: create_batch, read_batch, decide, commit_batch, discard_batch, summary
workbooks.py the template to fill in, and the error report to fix and upload again
"""
