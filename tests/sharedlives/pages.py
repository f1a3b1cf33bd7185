"""Reading a rendered page the way its user would, and sending a form back
the way their browser would."""

from html.parser import HTMLParser

from django.forms import CheckboxInput

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []

    @property
    def text(self) -> str:
        parts = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text)
        return " ".join(" ".join(parts).split())

    def first(self, tag) -> "Element | None":
        return next((e for e in self.iter() if e.tag == tag), None)

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


class Page:
    def __init__(self, response):
        builder = _TreeBuilder()
        builder.feed(response.content.decode())
        self.root = builder.root

    def find(self, tag=None, **attrs):
        for element in self.root.iter():
            if tag and element.tag != tag:
                continue
            if all(element.attrs.get(name) == value for name, value in attrs.items()):
                return element
        return None

    @property
    def main_text(self) -> str:
        """The text of the page's main content, with whitespace collapsed."""
        return self.find("main").text

    @property
    def messages(self) -> list[str]:
        return [e.text for e in self.root.iter() if "alert" in e.attrs.get("class", "").split()]

    def value_of(self, name) -> str | None:
        """What the field ``name`` shows: an input's value or a textarea's text."""
        field = self.find("input", name=name) or self.find("textarea", name=name)
        if field is None:
            return None
        return field.text if field.tag == "textarea" else field.attrs.get("value")

    def options_of(self, name) -> list[str]:
        """The choices a select offers, as the user reads them."""
        select = self.find("select", name=name)
        return [e.text for e in select.iter() if e.tag == "option"]

    def error_for(self, name) -> str:
        """The error message the field ``name`` is described by ("" if none)."""
        field = (
            self.find("input", name=name)
            or self.find("textarea", name=name)
            or self.find("select", name=name)
        )
        assert field is not None, f"no field {name} on the page"
        described_by = (field.attrs.get("aria-describedby") or "").split()
        texts = [self.find(id=ref).text for ref in described_by if ref.endswith("_error")]
        return " ".join(texts)


def history_entries(response) -> list[dict]:
    """The entries of a History tab, newest first, as the user reads them:
    a title ("Carer changed"), a byline ("... by Ann Lee") and the changes
    as (field, before, after)."""
    history = Page(response).find("ol", **{"class": "list-unstyled history"})
    if history is None:
        return []
    entries = []
    for card in (e for e in history.children if isinstance(e, Element)):
        rows = [e for e in card.iter() if e.attrs.get("class") == "history-change"]
        entries.append(
            {
                "title": card.first("h2").text,
                "byline": card.first("p").text,
                "changes": [
                    tuple(cell.text for cell in row.children if isinstance(cell, Element)) for row in rows
                ],
            }
        )
    return entries


def text(response) -> str:
    return Page(response).main_text


def form_data(*forms) -> dict:
    """The data a browser sends back for unchanged forms (or formsets)."""
    data = {}
    for form in forms:
        if hasattr(form, "management_form"):
            data.update(form_data(form.management_form, *form.forms))
            continue
        for bound in form:
            value = bound.value()
            if isinstance(bound.field.widget, CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, (list, tuple)):
                data[bound.html_name] = [str(item) for item in value]
            elif value is None:
                data[bound.html_name] = ""
            else:
                data[bound.html_name] = bound.field.widget.format_value(value) or ""
    return data
