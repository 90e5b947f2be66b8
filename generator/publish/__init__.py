"""Files beside the pages: feeds, sitemap, open data, the filters' index."""
