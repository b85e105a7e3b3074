"""The library of resources: kinds, files checked by content, saving, public reading, feed."""
