from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number, param="page"):
    """This page's address with ?page= (or ?<param>=) changed, keeping the
    filters and any other list's page."""
    query = context["request"].GET.copy()
    query[param] = number
    return f"?{query.urlencode()}"


@register.filter
def comma_list(values):
    """["gardening", "music"] -> "gardening, music"."""
    return ", ".join(str(value) for value in values or [])
