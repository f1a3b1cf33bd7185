"""Words for the demo's incidents and its compliments and complaints.

``{name}`` is the person's first (or preferred) name and ``{carer}`` the
carer's first name. Each story says how long ago it happens, whether it is
closed (an outcome) and, where CQC must be told, how many days the
notification took (None: not sent yet). See ``sharedlives.demo_incidents``.
"""

from dataclasses import dataclass

from placements.models import ComplaintOutcome, FeedbackKind, IncidentCategory, NotifiableEvent

C, E = IncidentCategory, NotifiableEvent


@dataclass(frozen=True)
class IncidentStory:
    category: str
    what_happened: str
    actions_taken: str
    follow_up: str
    outcome: str  # blank: still open
    events: tuple[str, ...] = ()
    others: str = ""
    days_ago: tuple[int, int] = (20, 200)
    # Days from knowing to sending the notification; None: not sent yet.
    sent_after: tuple[int, int] | None = (0, 2)


STORIES = (
    IncidentStory(
        C.ACCIDENT,
        "{name} tripped on the garden step and grazed both knees.",
        "{carer} cleaned and dressed the grazes. No other injury.",
        "Step to be painted white at the edge so it shows up.",
        "Healed within a week. The step edge is now painted.",
    ),
    IncidentStory(
        C.ACCIDENT,
        "{name} fell on the stairs at night and could not get up. Taken to hospital by ambulance: a "
        "broken wrist.",
        "{carer} rang 999 and stayed with {name}; told the out-of-hours coordinator and the family.",
        "Occupational therapy to look at the stairs; a night light fitted on the landing.",
        "",
        events=(E.SERIOUS_INJURY,),
        days_ago=(8, 20),
        sent_after=(0, 1),
    ),
    IncidentStory(
        C.MEDICATION,
        "{name}'s evening tablets were missed. {carer} found them still in the blister pack the next "
        "morning.",
        "{carer} rang NHS 111, who said to carry on as normal. {name} was well.",
        "Medication record to be signed at the time each dose is given.",
        "No harm. {carer} now signs the record straight away; checked at the next visit.",
    ),
    IncidentStory(
        C.MEDICATION,
        "{name} was given the morning dose twice after a change of routine over the weekend.",
        "{carer} rang the GP surgery, who advised watching {name} for drowsiness for the day.",
        "Medication refresher training booked for {carer}; the pharmacy to supply a dosette box.",
        "",
        days_ago=(3, 12),
    ),
    IncidentStory(
        C.SAFEGUARDING,
        "{name} told {carer} that a relative takes money from their purse when visiting.",
        "{carer} wrote down what {name} said, in {name}'s words, and rang the coordinator the same day.",
        "Safeguarding concern raised with the council; {name}'s money to be kept in the house safe for now.",
        "The council's enquiry found money had been taken. {name} now has a bank card and chooses who "
        "visits.",
        others="A relative (named in the safeguarding referral)",
        days_ago=(90, 300),
        sent_after=(0, 1),
    ),
    IncidentStory(
        C.SAFEGUARDING,
        "The day centre noticed a large bruise on {name}'s upper arm. {name} could not say how it happened.",
        "Photographed and measured; body map filled in. {carer} says {name} did not mention a fall.",
        "Safeguarding concern raised with the council; the coordinator to visit without notice.",
        "",
        others="Day centre staff",
        days_ago=(1, 3),
        sent_after=None,
    ),
    IncidentStory(
        C.POLICE,
        "{name}'s mobile phone was stolen from their bag on the bus into town.",
        "Reported to West Yorkshire Police; crime reference given. {carer} blocked the phone.",
        "A new phone with a lock screen; {name} to carry it in a zipped pocket.",
        "Police closed the case with no suspect. {name} has a new phone.",
        days_ago=(40, 160),
        sent_after=(1, 3),
    ),
    IncidentStory(
        C.POLICE,
        "A neighbour called the police after {name} shouted at children in the street. The officers "
        "talked with {name} and {carer} and took no further action.",
        "{carer} calmed {name} down; told the coordinator the next morning.",
        "Behaviour support plan to be reviewed with the community team.",
        "",
        others="Two police officers; the neighbour at number 12",
        days_ago=(5, 15),
        sent_after=(4, 6),  # late: the coordinator heard a few days after
    ),
    IncidentStory(
        C.COMPLAINT,
        "A neighbour complained about music from {name}'s room late at night.",
        "{carer} apologised to the neighbour and talked with {name}.",
        "Headphones bought; music off by eleven on weeknights, agreed with {name}.",
        "No more complaints from the neighbour.",
    ),
    IncidentStory(
        C.MISSING,
        "{name} did not come home from the day centre. Found three hours later at the bus station.",
        "{carer} searched the usual places, then rang the police, who found {name} safe.",
        "A photo and description kept ready; {name} to carry a card with {carer}'s number.",
        "{name} was safe and well; had wanted to go to the market. Travel training to start.",
        events=(E.POLICE,),
        days_ago=(60, 250),
        sent_after=(0, 2),
    ),
    IncidentStory(
        C.MISSING,
        "{name} wandered off at the park during a short break and was missing for forty minutes.",
        "{carer} and a dog walker searched and found {name} by the lake.",
        "Stay together in busy places; {name} to wear a bright jacket on outings.",
        "Found safe and well within the hour; the family were told that evening.",
    ),
    IncidentStory(
        C.OTHER,
        "The council has applied to the Court of Protection to authorise the restrictions in {name}'s "
        "care (the front door kept locked and someone always with {name}).",
        "Copy of the application kept on file; {name}'s advocate told.",
        "Wait for the court's decision; review the restrictions at the next review.",
        "",
        events=(E.DOLS,),
        days_ago=(20, 60),
        sent_after=(1, 3),
    ),
    IncidentStory(
        C.OTHER,
        "A chip-pan fire in {carer}'s kitchen. Everyone got out safely, but the house cannot be lived in "
        "for a few weeks.",
        "The fire service came; {name} moved to an emergency stay with another carer that night.",
        "Find short-term places for everyone the household supports; check the household's insurance.",
        "The kitchen was repaired and {name} moved back after three weeks.",
        events=(E.SERVICE_STOPPED,),
        days_ago=(120, 400),
        sent_after=(0, 1),
    ),
    IncidentStory(
        C.OTHER,
        "{name} lost the front door key on the way home from the shops.",
        "{carer} had the lock changed the same day.",
        "A key safe by the door, so {name} does not have to carry a key.",
        "Key safe fitted; {name} knows the code.",
    ),
    IncidentStory(
        C.ACCIDENT,
        "{name} burnt a hand on the oven door while helping to make tea.",
        "Cooled under the tap for twenty minutes; {carer} took {name} to the minor injuries unit.",
        "Oven gloves kept by the cooker; {carer} to show {name} how to use them.",
        "",
        days_ago=(2, 6),
    ),
)
DEATH = IncidentStory(
    C.OTHER,
    "{name}'s family rang to say {name} had died in hospital overnight after a short illness.",
    "Told the registered manager, {carer} and the social worker; condolences sent to the family.",
    "Offer {carer} support; end the arrangement.",
    "{name}'s death was expected; no concerns about their care. {carer} went to the funeral.",
    events=(E.DEATH,),
    sent_after=(0, 1),
)
LATER_OUTCOME = "The follow-up was done and nothing more is needed."
# The stories a large scheme draws from, by category (a death has its own).
SCALE_WEIGHTS = {C.ACCIDENT: 30, C.MEDICATION: 25, C.SAFEGUARDING: 8, C.POLICE: 5}
SCALE_WEIGHTS |= {C.COMPLAINT: 10, C.MISSING: 7, C.OTHER: 15}


@dataclass(frozen=True)
class FeedbackStory:
    kind: str
    source: str  # who it is from: "family", "social worker", "the person" or "neighbour"
    summary: str
    response: str
    outcome: str = ""
    closed: bool = True
    days_ago: tuple[int, int] = (20, 300)


FEEDBACK = (
    FeedbackStory(
        FeedbackKind.COMPLIMENT,
        "family",
        "Thank you for finding {name} such a lovely home with {carer}. {name} is happier than we have "
        "seen in years.",
        "Passed on to {carer} with the team's thanks.",
    ),
    FeedbackStory(
        FeedbackKind.COMPLIMENT,
        "social worker",
        "{carer} went above and beyond when {name} came out of hospital: every appointment kept and the "
        "exercises done daily.",
        "Shared with {carer} and at the carers' meeting.",
    ),
    FeedbackStory(
        FeedbackKind.COMPLIMENT,
        "the person",
        "{name} came into the office to say: 'Tell {carer} thank you for my birthday party.'",
        "",
        closed=False,
        days_ago=(1, 6),
    ),
    FeedbackStory(
        FeedbackKind.COMPLAINT,
        "family",
        "{name}'s short break was cancelled at two days' notice and nobody rang to explain.",
        "Apologised. The coordinator now rings the family about any change, and a new date was booked.",
        ComplaintOutcome.PARTLY_UPHELD,
    ),
    FeedbackStory(
        FeedbackKind.COMPLAINT,
        "the person",
        "{carer} won't let me have friends round after nine o'clock.",
        "Talked it through with {name} and {carer}; house rules agreed together and written down.",
        ComplaintOutcome.NOT_UPHELD,
    ),
    FeedbackStory(
        FeedbackKind.COMPLAINT,
        "neighbour",
        "Cars park across my drive when people visit {carer}'s house.",
        "The coordinator spoke to the neighbour, who withdrew the complaint once visitors parked on the "
        "road.",
        ComplaintOutcome.WITHDRAWN,
    ),
    FeedbackStory(
        FeedbackKind.COMPLAINT,
        "family",
        "{name}'s medication ran out over the bank holiday weekend.",
        "Upheld: the prescription was not reordered in time. Repeat prescriptions now have a reminder, "
        "and {carer} has had refresher training.",
        ComplaintOutcome.UPHELD,
    ),
    FeedbackStory(
        FeedbackKind.COMPLAINT,
        "family",
        "Receipts are not being kept for what {name}'s money is spent on.",
        "Looking into it: asked {carer} for the spending record.",
        closed=False,
        days_ago=(3, 12),
    ),
)
NEIGHBOUR = "Mr D. Walsh, neighbour"
# A small scheme's: an accident (closed), a medication error (open) and a compliment.
SMALL_STORIES = (STORIES[0], STORIES[3])
SMALL_FEEDBACK = FEEDBACK[:1]
