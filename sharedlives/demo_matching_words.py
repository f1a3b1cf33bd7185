"""What the demo's rates are and what people said while matching: the
payment bands and rates with their history, answers to proposals, and how
introductions went (used by ``sharedlives.demo_matching``)."""

from dataclasses import dataclass
from decimal import Decimal

from placements.models import IntroductionKind, RateKind


def weekly(care: str, rent: str, household: str) -> dict:
    return {
        "care_payment": Decimal(care),
        "rent": Decimal(rent),
        "household_contribution": Decimal(household),
    }


def nightly(amount: str) -> dict:
    return {"amount": Decimal(amount)}


def session(amount: str, hours: int, uplift: str) -> dict:
    return {
        "amount": Decimal(amount),
        "session_hours": Decimal(hours),
        "extra_person_uplift": Decimal(uplift),
    }


@dataclass(frozen=True)
class RateSpec:
    """A rate and its history: (years before the latest 1 April it took
    effect, its amounts), oldest first; each stands until the next."""

    kind: str
    name: str
    description: str
    history: tuple[tuple[int, dict], ...]

    @property
    def hours(self) -> Decimal:
        return self.history[-1][1].get("session_hours") or Decimal(0)


W, N, D = RateKind.LIVE_IN_WEEKLY, RateKind.SHORT_BREAK_NIGHTLY, RateKind.DAY_SUPPORT_SESSION

# Published bands run from about £370 to £590 a week in all; a night of short
# breaks about £57 to £85; day support about £35 for up to 4 hours, £52.50
# for 6 and £70 for 8. Uplifts come in April, and not every year.
LEEDS_RATES = (
    RateSpec(
        W,
        "Live-in band 1",
        "Support with daily living and a little personal care",
        (
            (7, weekly("215.00", "95.00", "60.00")),
            (3, weekly("236.00", "98.00", "62.00")),
            (0, weekly("248.00", "102.00", "64.00")),
        ),
    ),
    RateSpec(
        W,
        "Live-in band 2",
        "Regular personal care, and support at night now and then",
        (
            (7, weekly("290.00", "95.00", "60.00")),
            (3, weekly("318.00", "98.00", "62.00")),
            (0, weekly("333.00", "102.00", "64.00")),
        ),
    ),
    RateSpec(
        W,
        "Live-in band 3",
        "Complex needs: support through the day and often at night",
        ((3, weekly("420.00", "98.00", "62.00")), (0, weekly("424.00", "102.00", "64.00"))),
    ),
    # Unchanged for nine years until last year's uplift.
    RateSpec(
        N,
        "Short breaks, a night",
        "Short breaks for most people",
        ((10, nightly("57.00")), (1, nightly("64.50"))),
    ),
    RateSpec(
        N,
        "Short breaks, a night (complex needs)",
        "Personal care through the night, or two carers at times",
        ((3, nightly("78.00")), (0, nightly("85.00"))),
    ),
    RateSpec(
        D,
        "Day support, up to 4 hours",
        "A morning or an afternoon",
        ((3, session("32.00", 4, "10.00")), (0, session("35.00", 4, "12.00"))),
    ),
    RateSpec(
        D,
        "Day support, 6 hours",
        "Most of a day",
        ((3, session("48.00", 6, "15.00")), (0, session("52.50", 6, "17.50"))),
    ),
    RateSpec(
        D,
        "Day support, 8 hours",
        "A full day",
        ((3, session("64.00", 8, "20.00")), (0, session("70.00", 8, "23.00"))),
    ),
)
NORTH_YORKSHIRE_RATES = (
    RateSpec(
        W,
        "Live-in band A",
        "Some support and prompting",
        ((4, weekly("228.00", "100.00", "62.00")), (0, weekly("241.00", "105.00", "65.00"))),
    ),
    RateSpec(
        W,
        "Live-in band B",
        "Daily personal care",
        ((4, weekly("305.00", "100.00", "62.00")), (0, weekly("318.00", "105.00", "65.00"))),
    ),
    RateSpec(
        W,
        "Live-in band C",
        "Complex needs, support day and night",
        ((4, weekly("392.00", "100.00", "62.00")), (0, weekly("408.00", "105.00", "65.00"))),
    ),
    RateSpec(N, "Short breaks, a night", "Any short break", ((9, nightly("60.00")), (0, nightly("72.00")))),
    RateSpec(
        D,
        "Day support, half day",
        "Up to 4 hours",
        ((4, session("33.50", 4, "10.00")), (0, session("36.50", 4, "11.00"))),
    ),
    RateSpec(
        D,
        "Day support, full day",
        "Up to 7 hours",
        ((4, session("58.00", 7, "18.00")), (0, session("63.00", 7, "19.00"))),
    ),
)

# Why someone said no to a proposal.
NOT_INTERESTED = {
    "person": (
        "{name} wants to stay near their sister, and this household is the other side of the city.",
        "{name} is frightened of dogs, and the family's dog is big and lively.",
        "{name} said the house felt too busy with the grandchildren there so often.",
        "{name} would rather live with a younger household who like going out.",
    ),
    "carer": (
        "We have a new grandchild arriving in the spring and can't take on more just now.",
        "We don't think we could manage the personal care at night.",
        "Our spare room is upstairs and the stairs would be too much.",
        "We would like someone who can be on their own for a few hours while we work.",
    ),
    "after visits": (
        "After the visits {name} said they did not feel at home there, and wants to meet someone else.",
        "{name} found the house too noisy at the overnight stay and asked not to go back.",
    ),
}

# How each kind of visit went: (for the person, for the carer).
INTRODUCTION_WORDS = {
    IntroductionKind.FIRST_MEETING: (
        (
            'Quiet at first, then showed {carer} photos of the dog. Said: "I\'d go again."',
            "Lovely to meet {name}. They warmed up once we got talking about football.",
        ),
        (
            "Met at the café in the garden centre. {name} chose the table and asked lots of questions.",
            "{name} knows what they want, which I like. We talked about holidays and music.",
        ),
        (
            "{name} held their sister's hand most of the time but smiled when the cat came in.",
            "A gentle start. Next time at our house, so {name} can see the room.",
        ),
    ),
    IntroductionKind.TEA_VISIT: (
        (
            "Loved the shepherd's pie and stayed an hour longer than planned.",
            "{name} helped lay the table and the cat took to them straight away.",
        ),
        (
            "{name} looked round the room and said it just needed a football poster.",
            "Relaxed. We agreed {name} can bring their own bedding and lamp next time.",
        ),
    ),
    IntroductionKind.DAY_VISIT: (
        (
            "Spent the day at the allotment and came back with a bag of runner beans. Wants to go back.",
            "{name} worked hard and chatted to everyone. The bus home was tricky; we'll practise.",
        ),
        (
            'Went swimming then had lunch out. {name} said it was "the best Tuesday in ages".',
            "Good day. {name} got tired after lunch, so shorter sessions to begin with.",
        ),
    ),
    IntroductionKind.OVERNIGHT: (
        (
            "Slept well and said the bed was comfy. Wants a night light on the landing.",
            "A calm evening with a quiz on the telly. The morning routine took longer than we thought; "
            "we've planned for it.",
        ),
        (
            "Was a bit homesick at bedtime, then fine after ringing mum. Ate a big breakfast.",
            "Went well. We'll leave the hall light on next time and keep tea at the same time as at home.",
        ),
    ),
    IntroductionKind.WEEKEND: (
        (
            "Went to the market on Saturday and to church on Sunday. Asked when they can move in.",
            "A really good weekend. {name} fitted in with the family as if they'd always been here.",
        ),
        (
            "Watched the match at the pub with {carer}'s family and loved it. Didn't want to go home.",
            "{name} was settled and chatty all weekend. We're all looking forward to them moving in.",
        ),
    ),
    "went badly": (
        (
            "{name} found the house too noisy and didn't sleep. Said quietly that they didn't want to "
            "go back.",
            "We tried to keep things calm, but with the grandchildren here it was a lot for {name}. "
            "We agree it isn't the right home for them.",
        ),
    ),
}
