"""Matching: which of a scheme's carers could support the person a referral
is for, in what order, and why.

Who is left out, the score and the order are all worked out by the database,
in one statement for all the scheme's carers, so a scheme with 10,000 carers
is ranked in a fraction of a second (tests/placements/test_matching_benchmark.py
measures it). ``ranking`` builds the statements (``sql`` holds their SQL);
``words`` explains the rows of one page, from a fixed number of queries
however many carers there are.

    ranking = rank_carers(referral, today)
    ranking.counts()                                  # the ranking statement
    page = paginate(request, ranking.shortlist())     # one query: the page's rows
    matches = ranking.explain_shortlist(page)         # no query
"""

from placements.matching.ranking import RULES, Ranking, rank_carers
from placements.matching.words import (
    PEOPLE_WITH,
    Exclusion,
    Match,
    Reason,
    describe_distance,
    full_years,
    postcode_area,
    postcode_district,
)

__all__ = [
    "PEOPLE_WITH",
    "RULES",
    "Exclusion",
    "Match",
    "Ranking",
    "Reason",
    "describe_distance",
    "full_years",
    "postcode_area",
    "postcode_district",
    "rank_carers",
]
