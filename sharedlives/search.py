import re

from django.contrib.postgres.search import SearchQuery


def prefix_search_query(text: str) -> SearchQuery | None:
    """A full-text query in which every word the user typed must match the
    start of a word in the record, so "moh lee" finds "Mohammed Leeming"."""
    words = re.findall(r"\w+", (text or "").lower())[:8]
    if not words:
        return None
    raw = " & ".join(f"{word}:*" for word in words)
    return SearchQuery(raw, search_type="raw", config="simple")
