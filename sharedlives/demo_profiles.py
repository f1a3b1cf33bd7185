"""One-page profiles for the demo's people, in their own words.

Each part is put together from what the records say about the person (their
interests, faith, languages, family, needs and how they communicate), in
the first person, the way a profile written with someone reads: "I know
every Leeds United player's name", "Give me time to answer". Most people in
the small demo schemes have one; ``build_profiles`` saves them.
"""

import datetime
import random
from collections.abc import Sequence

from django.utils import timezone

from people.models import OnePageProfile, Person
from placements.models import OPEN_STATUSES, Arrangement
from sharedlives.choices import NeedsGroup

# About how many people have had their profile written with them.
SHARE = 0.85

LIKED = (
    "People say I have a great laugh, and I always remember birthdays.",
    "I'm kind. If someone is upset I make them a cup of tea.",
    "I'm honest and I say what I think.",
    "I never give up on a jigsaw, however many pieces.",
    "I'm a hard worker. At the café they say I'm the tidiest one there.",
    "I know all the bus routes in town.",
    "I'm polite and I always say thank you.",
    "I'm funny. My jokes are terrible but everyone laughs.",
    "I'm a good listener.",
    "I notice when someone is having a bad day.",
)
LIKED_FOR = {
    "gardening": "I grow the best tomatoes on the allotment.",
    "football": "I know every {team} player's name and shirt number.",
    "music": "I know all the words to every ABBA song.",
    "cooking": "I make a really good Victoria sponge.",
    "walking": "I can walk for miles and never moan.",
    "art": "My paintings were in an exhibition at the library.",
    "swimming": "I can swim twenty lengths without stopping.",
    "cinema": "I can tell you the story of any James Bond film.",
    "crafts": "I knit hats for the babies on the special care unit.",
    "animals": "Animals trust me. Dogs always come to me first.",
    "board games": "I always win at dominoes.",
    "church": "I help set out the chairs at church every Sunday.",
    "fishing": "I'm patient: I'll sit all day by the canal for one fish.",
    "dancing": "I'm first on the dance floor at every party.",
    "reading": "I've read every Harry Potter book twice.",
}
IMPORTANT_FOR = {
    "gardening": "Having a bit of garden to grow things in.",
    "football": "Watching {team} on a Saturday, with someone who gets as excited as I do.",
    "music": "Listening to my music in my room, loud (but not too loud).",
    "cooking": "Helping to cook tea, not just being given it.",
    "walking": "A walk every day, whatever the weather.",
    "art": "My art group on Wednesdays.",
    "swimming": "Going swimming on Saturday mornings.",
    "cinema": "Going to the pictures when a new film comes out.",
    "crafts": "A table where I can leave my crafts out.",
    "animals": "Having animals around. I grew up with a dog called Bess and I still miss her.",
    "board games": "A game of cards after tea.",
    "church": "Going to church on Sunday and seeing my friends there.",
    "fishing": "Going fishing with my uncle once a month.",
    "dancing": "The disco at the community centre on Friday nights.",
    "reading": "My library card, and a quiet place to read.",
}
IMPORTANT_FAITH = {
    "Muslim": "Going to the mosque on Fridays, and halal food.",
    "Sikh": "Going to the gurdwara with my family, and eating langar there.",
    "Hindu": "Celebrating Diwali with my family.",
    "Jain": "Vegetarian food, and the temple on special days.",
    "Roman Catholic": "Going to Mass on Sunday morning.",
    "Seventh-day Adventist": "Church on Saturday. It's my Sabbath.",
    "Pentecostal": "Church on Sunday. I love the singing.",
}
IMPORTANT = (
    "Having my own room, with my things where I put them.",
    "Knowing what is happening tomorrow.",
    "My phone, so I can ring my family when I want.",
    "My own money, and choosing what I spend it on.",
    "Tea at five o'clock. I get hungry and grumpy if it's late.",
    "A lie-in at the weekend.",
    "My photos of my family on the wall.",
)
# How best to support me, for each way of communicating (see sharedlives.demo).
SUPPORT_FOR_COMMUNICATION = {
    "Speaks clearly and enjoys a chat.": "I love a chat, but tell me if I'm talking too much.",
    "Uses some Makaton signs alongside speech.": (
        "I use some Makaton. Learn the signs for drink, toilet and home first."
    ),
    "Prefers short sentences, and pictures to explain plans for the day.": (
        "Use short sentences. Show me pictures of what we're doing today."
    ),
    "Has a communication passport; please read it before meeting.": (
        "Read my communication passport before we meet. It's in the front of my bag."
    ),
    "Understands more than they can say; give time to answer.": (
        "Give me time to answer. If you rush me I go quiet."
    ),
    "Uses British Sign Language; an interpreter is needed for meetings.": (
        "I'm Deaf and I use BSL. Book an interpreter for meetings. "
        "At home, write it down if I don't understand."
    ),
    "Wears hearing aids; face them and speak clearly.": (
        "Face me when you talk, and don't cover your mouth. "
        "My hearing aids whistle when the batteries are low."
    ),
}
SUPPORT_FOR_NEEDS = {
    NeedsGroup.LEARNING_DISABILITY: (
        "Help me count my money before we go to the shops, but let me pay.",
        "Remind me about appointments the day before, and again in the morning.",
    ),
    NeedsGroup.AUTISM: (
        "Tell me about changes the day before. Surprises make me anxious.",
        "If I go quiet and start rocking, I need my room and some time, not questions.",
    ),
    NeedsGroup.MENTAL_HEALTH: (
        "If I stay in bed all day I'm not lazy, I'm having a bad day. Sit with me and we'll plan tomorrow.",
        "Remind me to take my tablets at breakfast. I keep them in the blue box.",
    ),
    NeedsGroup.DEMENTIA: (
        "Tell me who you are each time, kindly. I know your face but sometimes not your name.",
        "Leave the bathroom light on at night so I can find my way.",
    ),
    NeedsGroup.PHYSICAL: (
        "I use a frame indoors. Keep the hallway clear and let me go at my own pace.",
        "Ask before you help me. I can do more than you think.",
    ),
    NeedsGroup.SENSORY: (
        "Tell me if you move the furniture, and put things back where they go.",
        "Say your name when you come into the room.",
    ),
    NeedsGroup.OLDER_PERSON: (
        "I like to be up early with a pot of tea. Don't fuss, but check I've eaten.",
        "Ask me about the old days. I've got stories.",
    ),
}


def build_profiles(
    rng: random.Random,
    people: dict[int, Person],
    family: dict[int, list[tuple[str, str, str]]],
    arrangements: Sequence[Arrangement],
    team: str,
    staff: Sequence,
) -> list[OnePageProfile]:
    """Save one-page profiles for about ``SHARE`` of ``people``."""
    today = timezone.localdate()
    carer_of = {a.person_id: a.carer for a in arrangements if a.status in OPEN_STATUSES}
    staff_by_id = {user.pk: user for user in staff}
    profiles = []
    for person in people.values():
        if rng.random() >= SHARE:
            continue
        relatives = family.get(person.pk, [])
        profiles.append(
            OnePageProfile(
                person=person,
                like_and_admire=" ".join(_liked(rng, person, team)),
                important_to_me=" ".join(_important(rng, person, relatives, team)),
                how_to_support_me=" ".join(_support(rng, person)),
                written_with=_written_with(rng, person, relatives, carer_of.get(person.pk), staff_by_id),
                written_on=today - datetime.timedelta(days=rng.randint(10, 700)),
            )
        )
    return OnePageProfile.objects.bulk_create(profiles)


def _liked(rng: random.Random, person: Person, team: str) -> list[str]:
    own = [LIKED_FOR[i].format(team=team) for i in person.interests if i in LIKED_FOR]
    return rng.sample(own, min(len(own), 1)) + rng.sample(LIKED, rng.randint(1, 2))


def _important(rng: random.Random, person: Person, relatives, team: str) -> list[str]:
    said = []
    if relatives:
        name, relationship, _ = rng.choice(relatives)
        said.append(f"Seeing my {relationship} {name.split(' ')[0]} every week.")
    said += [IMPORTANT_FOR[i].format(team=team) for i in person.interests[:2] if i in IMPORTANT_FOR]
    if person.faith in IMPORTANT_FAITH:
        said.append(IMPORTANT_FAITH[person.faith])
    others = [language for language in person.languages if language != "English"]
    if others:
        said.append(f"Speaking {others[0]} at home. It's what my family talk in.")
    return said + rng.sample(IMPORTANT, 1 if len(said) > 2 else 2)


def _support(rng: random.Random, person: Person) -> list[str]:
    said = []
    if person.communication_needs in SUPPORT_FOR_COMMUNICATION:
        said.append(SUPPORT_FOR_COMMUNICATION[person.communication_needs])
    for group in person.needs_groups:
        said.append(rng.choice(SUPPORT_FOR_NEEDS[group]))
    if person.wheelchair_user:
        said.append("I use a wheelchair. Don't push me without asking, and keep my charger by the bed.")
    return said or ["Ask me. I'll tell you."]


def _written_with(rng: random.Random, person: Person, relatives, carer, staff_by_id) -> str:
    name = person.preferred_name or person.first_name
    choices = ["coordinator"]
    if relatives:
        choices += ["family", "family"]
    if carer is not None:
        choices += ["carer", "carer"]
    choice = rng.choice(choices)
    if choice == "family":
        relative, relationship, _ = rng.choice(relatives)
        return f"{name}, with {relative.split(' ')[0]} ({relationship})"
    if choice == "carer":
        return f"{name}, with {carer.first_name} (their Shared Lives carer)"
    coordinator = staff_by_id.get(person.coordinator_id)
    if coordinator is None:
        return f"{name}, with their advocate"
    return f"{name}, with {coordinator.get_full_name()} (coordinator)"
