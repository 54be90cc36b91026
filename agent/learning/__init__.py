"""The learning loop: capture of unresolved calls, export for labelling, import of labelled examples."""
