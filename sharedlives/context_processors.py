def membership(request):
    """The membership the user is working under, for the navigation."""
    current = getattr(request, "membership", None)
    return {
        "membership": current,
        "is_staff_role": bool(current and current.is_staff_role),
        "is_manager": bool(current and current.is_manager),
    }
