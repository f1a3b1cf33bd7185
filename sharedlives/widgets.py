from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class LongSelect(forms.Select):
    """A drop-down of many choices (every coordinator of a large scheme),
    written out in Python straight from its choices. Django's ``Select``
    builds a dictionary for each option and renders it through a template of
    its own: for a scheme's 400 staff that took longer than the rest of a
    list page. The HTML is the same as ``Select``'s (the tests compare them);
    option groups are not supported."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        chosen = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                raise ValueError("LongSelect does not render option groups.")
            option_value = "" if option_value is None else str(option_value)
            selected = " selected" if option_value in chosen else ""
            # The standard library's escape (Django's wraps it for lazy text).
            options.append(f'<option value="{escape(option_value)}"{selected}>{escape(str(label))}</option>')
        opening = format_html('<select name="{}"{}>', name, flatatt(attrs))
        return opening + mark_safe("".join(options) + "</select>")  # nosec B308 B703: each part escaped above
