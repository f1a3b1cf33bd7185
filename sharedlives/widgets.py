from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class LongSelect(forms.Select):
    """A drop-down of many choices (every coordinator of a large scheme),
    written out in Python. Django's ``Select`` renders each option through a
    template of its own: for a scheme's 400 staff that took longer than the
    rest of a list page. The HTML is the same as ``Select``'s (the tests
    compare them); option groups are not supported."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = [option for group_name, group, _ in widget["optgroups"] for option in group]
        if any(group_name for group_name, _, _ in widget["optgroups"]):
            raise ValueError("LongSelect does not render option groups.")
        opening = format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))
        written = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(option["value"]), flatatt(option["attrs"]), option["label"]) for option in options),
        )
        return format_html("{}{}</select>", opening, written)
