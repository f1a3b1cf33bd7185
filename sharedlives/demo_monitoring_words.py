"""Words for the demo's arrangement reviews and monitoring visits.

The person's views are in the first person, the way a coordinator writes
down what someone said at their review ("I want to go swimming every week,
not just sometimes"), or says how they gave them (Makaton, a talking mat,
an advocate). ``{name}`` is the person's first (or preferred) name,
``{carer}`` the carer's first name and ``{team}`` the local football team.
"""

from sharedlives.choices import ArrangementKind

K = ArrangementKind

# What the help text of the review form asks for when someone chose to say nothing.
NO_COMMENT = "Did not wish to comment"

# The person's views, by kind of arrangement (short stays share one list).
VIEWS = {
    K.LIVE_IN: (
        "I like living with {carer}. It's quiet here and nobody shouts.",
        "My room is the best bit. I've put my posters up and I chose the curtains.",
        "This is my home now. I don't want to move again.",
        "{carer} makes a proper Sunday dinner. I do the Yorkshire puddings.",
        "I like it, but I miss my old friends from the flats.",
        "Sometimes I get fed up when the grandchildren come round and it's noisy.",
        "I'm happy. I go to bed when I want and nobody tells me off.",
        "I like having my own key. I feel grown up.",
        "The dog sleeps on my bed. Don't tell {carer}.",
        "I don't like it when {carer} goes out and someone else comes in. I like it when it's just us.",
        "It's all right. I'd like a bigger telly in my room.",
        "I'm not lonely any more. There's always someone to talk to.",
    ),
    K.SHORT_BREAKS: (
        "I like coming to {carer}'s. We get fish and chips on a Friday.",
        "It's like a holiday, but better, because {carer} knows what I like.",
        "I want to come more often. Once a month isn't enough.",
        "The bed is too soft. I told {carer} and we're getting a new one.",
        "I like it because Mum gets a rest and I get to see the dogs.",
        "I didn't want to come the first time. Now I pack my bag the night before.",
        "I don't like going home on Sunday. I want to stay till Monday.",
    ),
    K.DAY_SUPPORT: (
        "Tuesdays are my best days.",
        "I like going to the allotment with {carer}. I dig and {carer} does the weeding.",
        "I want to do more cooking at {carer}'s. I made a shepherd's pie last week.",
        "I get bored when it rains and we stay in.",
        "{carer} takes me to the library and I choose my own books.",
        "I like it better than the day centre. There's no waiting around.",
    ),
    "short stay": (
        "I want to go home. It's nice here but it's not my house.",
        "{carer} helps me with my exercises. My hip is getting better.",
        "I was frightened when I came. I'm not now.",
        "I'm eating better here. In the hospital the food was horrible.",
        "I'd like to stay a bit longer, till I'm steadier on my feet.",
    ),
}

# What the person wants, by their interests.
WANTS_FOR = {
    "gardening": "I want my own bit of garden to grow tomatoes.",
    "football": "I want to go and see {team} at the ground, not just on the telly.",
    "music": "I want to go to a proper concert.",
    "cooking": "I want to learn to make a curry.",
    "walking": "I want to do the long walk along the canal.",
    "art": "I want to go back to my art group.",
    "swimming": "I want to go swimming every week, not just sometimes.",
    "cinema": "I want to go to the pictures with my friend, without staff.",
    "crafts": "I want to sell my cards at the church fair.",
    "animals": "I want to help at the animal rescue.",
    "board games": "I want to join the games club at the library.",
    "church": "I want to go to church on Sunday mornings, not just at Christmas.",
    "fishing": "I want to go fishing at the reservoir.",
    "dancing": "I want to go to the disco on Fridays.",
    "reading": "I want my own library card.",
}
WANTS = (
    "I want to get a job. Maybe at a café.",
    "I want to learn to get the bus into town on my own.",
    "I want to see my family more.",
    "I want to save up for a holiday.",
    "I'd like a phone of my own.",
    "I want to stay here.",
    "Nothing else. I'm happy as I am.",
)

# Views given with support: the words, and how they were given.
SUPPORTED_VIEWS = (
    "'Good. Home. Dog.' Signed 'happy' and pointed at the garden. (With Makaton; {carer} helped.)",
    "Pointed to the pictures of the allotment and the café for 'like', and the bus for 'don't like'. "
    "Said 'more café'.",
    "'Yes, good.' Thumbs up to each picture of home; thumbs down to the picture of the doctor's.",
    "Used a talking mat: put 'my room', 'tea' and '{carer}' on the happy side and 'mornings' on the "
    "unhappy side.",
    "'Happy.' '{carer} nice.' 'Swimming more.' (Said with signs and a few words; {carer} helped.)",
    "Typed on the tablet: 'I like it here. I want to see my brother.'",
)
# How the views came, for an advocate and for views given beforehand.
THROUGH_ADVOCATE = "Given by {advocate}, {name}'s advocate, who met {name} on their own beforehand: '{words}'"
BEFOREHAND = "Told {coordinator} at home the week before: '{words}'"
DID_NOT_TAKE_PART = (
    NO_COMMENT,
    "Stayed in bed on the day and did not want to talk about the review. Said later: 'Leave me alone, "
    "I'm fine.'",
)

CARER_VIEWS = (
    "{name} has settled in really well and joins in with everything.",
    "We're getting there. Mornings are still hard, but the new routine helps.",
    "{name} is part of the family now. The grandchildren adore {name}.",
    "I'd like more notice from the GP when {name}'s medication changes.",
    "It's going well. I'd like some epilepsy training, to feel more confident.",
    "{name} has been brighter since starting at the college.",
    "It's been a harder few months; {name} misses their mum. We're talking about it.",
    "",
)
WORKING = (
    "A settled routine: up at eight, the day centre three days a week, tea at five.",
    "{name} and {carer} get on well and share a sense of humour.",
    "{name} now makes their own breakfast and packed lunch.",
    "Medication is given as prescribed and the records are up to date.",
    "Keeping in touch with family: visits every other Sunday.",
    "{name} has made friends at the community centre.",
    "{name} looks forward to each stay, and the family get the rest they need.",
    "{name} is more confident going out and about.",
)
NOT_WORKING = (
    "Mornings are rushed on day-centre days.",
    "The bus to college is unreliable; {name} was late several times.",
    "{name} is up late on the tablet and tired in the morning.",
    "Contact with {name}'s brother has dropped off.",
    "The bathroom is hard to get into with the frame; a grab rail would help.",
    "{name} has put on weight and wants to be more active.",
    "",
    "",
)
OUTCOMES = (
    "Keep the arrangement going as it is.",
    "{name} to travel to college on their own by the summer, after travel training.",
    "{name} to join a swimming group and go every week.",
    "More short breaks if the council agrees the funding.",
    "{name} to cook a meal for the household once a week.",
    "Support {name} to open a bank account and manage a weekly budget.",
    "{name} to try a taster day at the supported employment project.",
)
# Said when a review sets the next one sooner than a year.
SOONER = "Next review in six months, while things are changing."

# Actions a review agrees: what, and who (a role, filled in with a name).
ACTIONS = (
    ("Ask the GP for a medication review", "carer"),
    ("Send the updated support plan to everyone who came", "coordinator"),
    ("Refer {name} for travel training with the council's team", "social worker"),
    ("Find a swimming session with a changing places toilet", "carer"),
    ("Ask occupational therapy about a grab rail in the bathroom", "coordinator"),
    ("Book epilepsy awareness training for {carer}", "coordinator"),
    ("Go to the college open day with {name}", "carer"),
    ("Apply for a bus pass", "social worker"),
    ("Set up a weekly phone call with {name}'s family", "carer"),
    ("Update {name}'s one-page profile with them", "coordinator"),
    ("Check the funding for extra short breaks with the council", "social worker"),
    ("Replace the bed in the short-break room", "carer"),
)

VISIT_NOTES = (
    "Saw {name} at home with {carer}. {name} showed me their room and the new photos on the wall. All well.",
    "{name} was chatty and said they were happy. Medication records checked and in order.",
    "Met {name} and {carer} over a cup of tea. {name} talked about the trip to the coast.",
    "{name} seemed tired; {carer} says sleep has been poor this week. Suggested a sleep diary; will "
    "look at it next visit.",
    "Checked the room, the smoke alarms and the medication cupboard. {name} said: 'I like it here.'",
    "Went through the first weeks with {name} and {carer}. Settling in; still homesick in the evenings.",
)
VISIT_NOTES_NOT_SEEN = (
    "{name} was out at the day centre. Talked with {carer} and checked the records; will see {name} "
    "next time.",
    "{name} did not want to come down today. Talked with {carer} and left a note for {name}.",
)
