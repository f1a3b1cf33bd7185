from django.db import connection

QUERIES_HEADER = "X-Queries"


class QueryCountMiddleware:
    """Says in the ``X-Queries`` response header how many SQL queries the
    request made, the session's and the sign-in's included. Installed only
    with the BENCH setting (see settings.py): the benchmark reads it, since
    with DEBUG off Django keeps no list of queries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response[QUERIES_HEADER] = str(count)
        return response
