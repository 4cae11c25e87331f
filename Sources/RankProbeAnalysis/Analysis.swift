// compare / plan / export.
