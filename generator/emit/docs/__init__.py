"""The static documentation site (see `site.render_site`): nothing from a spec runs in the page."""

from generator.emit.docs.site import render_site, write_site
from generator.emit.docs.text import anchor, markdown

__all__ = ["anchor", "markdown", "render_site", "write_site"]
