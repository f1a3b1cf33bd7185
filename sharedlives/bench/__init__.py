"""`make bench`: the app's pages measured under load on the large data set.

``manage.py bench`` (run with BENCH=true, so on the database of its own that
settings name) builds the data set if it is missing, serves the app under
gunicorn with production settings, drives each page with locust from a
second process and prints one table. The pieces: which pages (pages.py),
signing in as a user would (signin.py), the load (locustfile.py), reading
locust's CSV and the table (results.py), and what the app adds while
measured: the X-Queries header (middleware.py) and the floor page (views.py).
"""
