"""WordPress (WXR) import: :mod:`.reader` streams the export, :mod:`.php`
reads serialized postmeta, :mod:`.content` turns post content into body
blocks, :mod:`.mapping` decides where each thing goes, :mod:`.importer`
writes, :mod:`.report` counts and explains."""
