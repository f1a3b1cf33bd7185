"""Characters nobody types, taken out of everything sent to the app.

NUL cannot be stored in PostgreSQL text at all (the save fails); the other
control characters (escape sequences, backspace, bell) do nothing for a
reader but can corrupt a terminal, a log or an export; and the Unicode
controls that override the direction of text can make a name or a file name
read as something else ("gnp.exe" shown as "exe.png"). Tab and line breaks
stay, as does right-to-left text itself (Urdu, Arabic), which needs none of
these controls to show correctly.

``CleanInputMiddleware`` removes them from the address's query and from
every form field before any view or form sees the request, so no page can
forget to; ``without_unsafe_characters`` does the same for one value."""

import re

from django.http import QueryDict

# C0 controls but tab, line feed and carriage return; DEL; C1 controls; the
# bidirectional embeddings, overrides and isolates.
UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def without_unsafe_characters(text: str) -> str:
    return UNSAFE_CHARACTERS.sub("", text)


def _cleaned(query: QueryDict) -> QueryDict:
    if not any(UNSAFE_CHARACTERS.search(key + "".join(values)) for key, values in query.lists()):
        return query  # the usual case: nothing to take out, nothing copied
    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        cleaned.setlist(without_unsafe_characters(key), [without_unsafe_characters(v) for v in values])
    cleaned._mutable = False
    return cleaned


class CleanInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _cleaned(request.GET)
        if request.method == "POST":
            # Files are left as they are: their content is checked by type.
            request.POST = _cleaned(request.POST)
        return self.get_response(request)
