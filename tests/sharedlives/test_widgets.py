"""The drop-down for long lists of choices (a large scheme's coordinators)."""

import pytest
from django import forms
from django.test.html import parse_html

from sharedlives.widgets import LongSelect

CHOICES = [("", "Anyone"), (1, "Ann & <Bob>"), (2, 'Zoë "Jo" Smith')]


@pytest.mark.parametrize("value", [None, "", "1", 2])
def test_it_writes_the_same_drop_down_as_djangos_own(value):
    attrs = {"id": "id_coordinator", "class": "form-select", "aria-describedby": "help", "disabled": True}
    ours = LongSelect(choices=CHOICES).render("coordinator", value, attrs)
    djangos = forms.Select(choices=CHOICES).render("coordinator", value, attrs)
    assert parse_html(ours) == parse_html(djangos)


def test_names_are_escaped():
    html = LongSelect(choices=CHOICES).render("coordinator", None)
    assert "Ann &amp; &lt;Bob&gt;" in html
    assert "<Bob>" not in html


def test_the_chosen_coordinator_stays_chosen_in_a_filter_form():
    class Filter(forms.Form):
        coordinator = forms.ChoiceField(choices=CHOICES, required=False, widget=LongSelect)

    html = str(Filter({"coordinator": "2"})["coordinator"])
    assert parse_html('<option value="2" selected>Zoë "Jo" Smith</option>') in parse_html(html)


def test_option_groups_are_refused_rather_than_flattened():
    grouped = [("Leeds", [(1, "Ann")]), ("York", [(2, "Bob")])]
    with pytest.raises(ValueError, match="option groups"):
        LongSelect(choices=grouped).render("coordinator", None)
