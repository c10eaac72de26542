"""What a build publishes besides pages: data exports, feeds and calendars, structured
data, the search index and photos."""
