"""Schema documentation (``ormdoctor docs``).

inventory ─ from_inventory ─┐
(runtime adapter, later) ───┴─ model.build_schema → SchemaDoc ─ document (blocks) ─┬─ markdown (+ mermaid)
                                                                                  └─ html (+ svg, mermaid source)
inject: markers, line endings and staleness diffs for -o / --inject / --check.
"""
