"""Source files into raw tables: cells with page and position, and how they were read.

One module per way of reading: `lattice` (ruled tables), `stream` (unruled tables),
`ocr` (scanned pages), `text` (text renderings). `read_document` chooses among them.
"""
