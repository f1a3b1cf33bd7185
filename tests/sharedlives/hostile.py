"""What the hostile-input tests need: the forms a page offers, read from its
HTML as a browser reads them, the data a browser would send back, and the
hostile variants of that data."""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection

from tests.sharedlives.pages import Element, Page

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE_BREAK = '"><img src=x onerror=alert(1)>'
SQL = "'; DROP TABLE carers_carer; --"
CONTROL = "Ann\x00Lee\x1b[31m\u202egnp.exe"
# What must never reach a page as it was typed.
RAW_MARKUP = (SCRIPT, ATTRIBUTE_BREAK)
OVERLONG = "x" * 100_000
HUGE = "99999999999999999999"

NOTHING_BUT_THE_TOKEN = {"csrfmiddlewaretoken": "token"}
TEXT_TYPES = {"text", "search", "tel", "url", "email"}
DATE_TYPES = {"date", "datetime-local", "time"}
# Tables that change when a page is only read, not when a form is sent.
READ_LOGS = {"RecordView"}


@dataclass
class Field:
    tag: str
    type: str
    name: str
    value: str = ""
    checked: bool = False
    required: bool = False
    maxlength: int | None = None
    options: list = field(default_factory=list)
    selected: list = field(default_factory=list)
    multiple: bool = False

    @property
    def is_text(self) -> bool:
        return self.tag == "textarea" or (self.tag == "input" and self.type in TEXT_TYPES)

    @property
    def is_choice(self) -> bool:
        """A select, or a radio or checkbox with a value of its own (a
        checkbox without one is a yes/no field, where any value means yes)."""
        return self.tag == "select" or (self.type in ("radio", "checkbox") and self.value != "")

    @property
    def is_hidden(self) -> bool:
        return self.type == "hidden"


@dataclass
class Form:
    action: str
    fields: list
    errors_before: int = 0  # the errors its page showed before anything was sent

    def named(self, name) -> list:
        return [f for f in self.fields if f.name == name]

    @property
    def names(self) -> list:
        return list(dict.fromkeys(f.name for f in self.fields))

    @property
    def has_required(self) -> bool:
        return any(f.required for f in self.fields)


def _raw_text(element: Element) -> str:
    parts = [c if isinstance(c, str) else _raw_text(c) for c in element.children]
    text = "".join(parts)
    return text[1:] if text.startswith("\n") else text  # as the browser drops it


def _maxlength(attrs) -> int | None:
    value = attrs.get("maxlength", "")
    return int(value) if value.isdigit() else None


def _field(element: Element) -> Field | None:
    attrs = element.attrs
    name = attrs.get("name")
    if not name or name == "csrfmiddlewaretoken" or "disabled" in attrs:
        return None
    if element.tag == "input":
        kind = (attrs.get("type") or "text").lower()
        if kind in ("submit", "button", "reset", "image"):
            return None
        return Field(
            "input",
            kind,
            name,
            attrs.get("value") or "",
            "checked" in attrs,
            "required" in attrs,
            _maxlength(attrs),
        )
    if element.tag == "textarea":
        return Field(
            "textarea", "textarea", name, _raw_text(element), False, "required" in attrs, _maxlength(attrs)
        )
    if element.tag == "select":
        options = [e for e in element.iter() if e.tag == "option"]
        values = [o.attrs.get("value", o.text) for o in options]
        chosen = [o.attrs.get("value", o.text) for o in options if "selected" in o.attrs]
        return Field(
            "select",
            "select",
            name,
            required="required" in attrs,
            options=values,
            selected=chosen,
            multiple="multiple" in attrs,
        )
    return None


def post_forms(response, path, method="post") -> list[Form]:
    """The forms in the page's main content (not the menu's sign-out) that
    send with ``method``."""
    if response.streaming or "html" not in response.get("Content-Type", ""):
        return []  # a download
    main = Page(response).find("main")
    if main is None:
        return []
    forms = []
    for element in main.iter():
        if element.tag != "form" or element.attrs.get("method", "get").lower() != method:
            continue
        fields = [f for f in map(_field, element.iter()) if f is not None]
        forms.append(Form(element.attrs.get("action") or path, fields))
    return forms


# A value that passes the usual checks, for a required field left empty.
FILL = {
    "email": "jo.bell@example.com",
    "date": "2026-11-20",
    "datetime-local": "2026-11-20T10:00",
    "time": "10:00",
    "number": "1",
}
FILL_BY_NAME = {"postcode": "LS6 2AB"}


def browser_data(form: Form, fill=True) -> dict:
    """What a browser sends for the form as it stands, with a plausible value
    in each required field left empty, so that as much as possible of the
    form is valid and only the hostile value is not."""
    data = {}
    for f in form.fields:
        if f.tag == "select":
            chosen = f.selected or ([] if f.multiple else f.options[:1])
            if fill and f.required and not [v for v in chosen if v]:
                chosen = [v for v in f.options if v][:1]
            if chosen:
                data.setdefault(f.name, []).extend(chosen)
        elif f.type in ("checkbox", "radio"):
            if f.checked:
                data.setdefault(f.name, []).append(f.value or "on")
        elif f.type != "file":
            data[f.name] = [f.value]
    if fill:
        for f in form.fields:
            if f.required and not any(data.get(f.name, [])):
                if f.type in ("radio", "checkbox"):
                    data[f.name] = [f.value or "on"]
                else:
                    data[f.name] = [FILL_BY_NAME.get(f.name, FILL.get(f.type, "Test value"))]
    return data


@dataclass
class Variant:
    """Hostile data for one form: ``data`` to post, and whether the form must
    refuse it (``invalid``): then nothing may be saved and an error is shown."""

    name: str
    data: dict
    invalid: bool
    # Text that, if the page shows it back, must be shown as typed.
    shown: tuple = ()


def _fits(f: Field, value: str) -> bool:
    return len(value) <= (f.maxlength or len(value))


def markup_data(form: Form) -> dict:
    """The form as a browser sends it, with markup in every free-text box
    that has room for it (and valid values in the boxes that check theirs),
    so that the markup is saved where the form allows."""
    data = browser_data(form)
    for f in form.fields:
        if f.tag == "textarea":
            data[f.name] = [f"{SCRIPT} {ATTRIBUTE_BREAK}"]
        elif f.is_text and f.type != "email" and f.name not in FILL_BY_NAME and _fits(f, SCRIPT):
            data[f.name] = [SCRIPT]
    return data


def hostile_queries(forms: list[Form]) -> list[dict]:
    """Query strings for a page's search and filter forms (and its page
    number): markup and huge numbers, then overlong text and impossible dates."""
    queries = []
    for text, number, date in ((SCRIPT, HUGE, "0000-00-00"), (OVERLONG, "-1", "31/02/2026")):
        query = {"page": [number], "format": [text]}
        for f in (f for form in forms for f in form.fields):
            if f.type in DATE_TYPES:
                query[f.name] = [date]
            elif f.type == "number" or f.is_choice:
                query[f.name] = [number]
            elif f.type not in ("checkbox", "radio", "file"):
                query[f.name] = [text]
        queries.append(query)
    return queries


def _with(form, base, pick, value) -> tuple[dict, bool]:
    data = {k: list(v) for k, v in base.items()}
    hit = False
    for name in form.names:
        fields = form.named(name)
        if any(pick(f) for f in fields):
            data[name] = [value]
            hit = True
    return data, hit


def variants(form: Form) -> list[Variant]:
    """The hostile variants that apply to ``form``. Invalid ones come first:
    a valid one may change the record (and so the next page)."""
    base = browser_data(form)
    out = []

    def add(name, pick, value, invalid, shown=()):
        data, hit = _with(form, base, pick, value)
        if hit:
            out.append(Variant(name, data, invalid, shown))

    text = lambda f: f.is_text  # noqa: E731
    anything = lambda f: f.type != "file"  # noqa: E731
    add("overlong text", text, OVERLONG, True)
    add("overlong anything", anything, OVERLONG, bool([f for f in form.fields if f.is_text]))
    add("impossible date", lambda f: f.type == "date", "31/02/2026", True)
    add("zero date", lambda f: f.type == "date", "0000-00-00", True)
    add("impossible date and time", lambda f: f.type == "datetime-local", "2026-02-31T25:61", True)
    add("impossible time", lambda f: f.type == "time", "25:61", True)
    add("letters for a number", lambda f: f.type == "number", "twelve", True)
    add("infinite number", lambda f: f.type == "number", "1e309", True)
    add("huge number", lambda f: f.type == "number", HUGE, True)
    add("not a choice", lambda f: f.is_choice, HUGE, True)
    add("markup for a choice", lambda f: f.is_choice or f.is_hidden, SCRIPT, False, RAW_MARKUP)
    # Every field left out: what is still sent is the CSRF token, as a
    # browser sends it (the test client does not check it).
    if form.has_required:
        out.append(Variant("missing fields", NOTHING_BUT_THE_TOKEN, True))
    else:
        out.append(Variant("nothing sent", NOTHING_BUT_THE_TOKEN, False))
    add("far-off date", lambda f: f.type == "date", "9999-12-31", True)
    # May well be accepted: each must be harmless if it is.
    add("negative number", lambda f: f.type == "number", "-1", False)
    repeated = {name: values * 2 if values else ["1", "2"] for name, values in base.items()}
    out.append(Variant("a list where one value is wanted", repeated, False))
    add("control characters", text, CONTROL, False)
    add("SQL", text, SQL, False)
    add("attribute break", text, ATTRIBUTE_BREAK, False, RAW_MARKUP)
    add("script", text, SCRIPT, False, RAW_MARKUP)
    return out


def _counted_models():
    for app in ("carers", "people", "placements", "sharedlives"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__ not in READ_LOGS and not model._meta.proxy and model._meta.managed:
                yield model


def row_counts() -> dict:
    """The number of rows of every table of the app's records and their
    history (an update writes a history row), in one query."""
    models = list(_counted_models())
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
    sql = "SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = cursor.fetchone()
    return {m._meta.label: n for m, n in zip(models, counts, strict=True) if n is not None}


def changed_tables(before: dict, after: dict) -> dict:
    return {label: (before[label], after[label]) for label in before if before[label] != after[label]}


ERROR_MARKS = ("invalid-feedback", "errorlist", "alert-danger")
# How base.html shows an error message (messages.error).
ERROR_MESSAGE = "<strong>Problem:</strong>"


def error_marks(html: str) -> int:
    """How many errors a page shows, next to fields, above a form or as
    messages. (Read as text: pages with 100,000 characters in each box are
    slow to parse.) A page may show a warning of its own (a lapsed check),
    so a form's errors are those beyond the page's count without them."""
    return sum(html.count(f'class="{mark}') + html.count(f" {mark}") for mark in ERROR_MARKS)
