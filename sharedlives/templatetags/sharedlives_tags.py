from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """This page's address with ?page= changed, keeping the filters."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"


@register.filter
def comma_list(values):
    """["gardening", "music"] -> "gardening, music"."""
    return ", ".join(str(value) for value in values or [])
