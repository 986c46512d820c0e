"""`make bench`: load through the whole stack, and the same load on a reference bot."""
