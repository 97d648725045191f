"""`diff OLD NEW`: what changed between two versions of a spec, and whether it breaks clients."""
