"""Portal records for the demo: what carers have told the scheme through
their portal, and what the scheme did about it.

``sharedlives.demo.build_demo`` calls ``build_portal`` once the households and
the carer logins are saved. The first carer login's household (``carer``)
has changes waiting for the scheme (among them a 17-year-old who has moved
in, so accepting it puts a DBS check on the checklist), the second's
(``carer2``) has a room change waiting, and both have changes that were
accepted, declined or took effect at once, dates away and certificates,
some verified. A few other households have changes their coordinator took
down over the phone, and dates away over the coming months.

The changes go through the services in ``carers.changes``, as a carer's and
a coordinator's clicks would, so that their before-and-after snapshots,
what they do to the household and who may make them are the real thing.
The services stamp the time they run, and a certificate's ``uploaded_at`` is
set when it is saved, so each step runs on a clock set back to when the
story says it happened (with time-machine, a development dependency like
Faker). Other households' dates away are made with bulk_create, as the rest
of the demo is; ``save_dates_away`` does the same for the benchmark scheme.
"""

import datetime
import random
import re
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

from carers.changes import accept_change, decline_change, note_change, propose_change
from carers.models import (
    Carer,
    CarerStatus,
    Certificate,
    ChangeKind,
    ChangeRequest,
    CheckKind,
    Smoking,
    Unavailability,
)
from sharedlives.choices import PetKind
from sharedlives.dates import add_months
from sharedlives.models import Membership, Role

DAY = datetime.timedelta(days=1)
BATCH_SIZE = 2000
ACCEPT, DECLINE = "accept", "decline"

AWAY_NOTES = (
    "Family holiday",
    "Caravan holiday in Filey",
    "Visiting family",
    "Family wedding",
    "Walking holiday in the Lake District",
    "Staying with my daughter",
    "Minor operation, then a few days to recover",
    "",
)
NEW_PET_NAMES = ("Bramble", "Tilly", "Willow", "Ziggy", "Hector", "Mabel")
# Names for someone new in the household, by the household's first language
# other than English (see sharedlives.demo.BACKGROUNDS); English names otherwise.
NEW_MEMBER_NAMES = {
    "Urdu": (("Zara", "Hira", "Amina"), ("Hamza", "Usman", "Adil")),
    "Punjabi": (("Simran", "Navdeep", "Amrit"), ("Gurdeep", "Manpreet", "Ravinder")),
    "Polish": (("Zuzanna", "Natalia", "Julia"), ("Kacper", "Szymon", "Filip")),
    "Bengali": (("Tahmina", "Ruksana", "Sadia"), ("Rafiq", "Imran", "Tanvir")),
    "Gujarati": (("Anjali", "Riya", "Pooja"), ("Rohan", "Kunal", "Arjun")),
    "": (("Chloe", "Ellie", "Holly"), ("Liam", "Callum", "Ryan")),
}
ROOM_NAMES = ("Front bedroom", "Back bedroom", "Attic room", "Box room", "Downstairs bedroom")


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------


def pdf_document(lines: Sequence[str]) -> bytes:
    """A one-page A4 PDF showing ``lines`` of text, the first as a heading."""

    def text(line: str) -> bytes:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("cp1252", "replace") + b") Tj"

    commands = [b"BT", b"/F1 18 Tf", b"72 770 Td", text(lines[0]), b"/F1 11 Tf", b"0 -30 Td"]
    for line in lines[1:]:
        commands += [text(line), b"0 -18 Td"]
    stream = b"\n".join([*commands, b"ET"])
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_image(width: int = 160, height: int = 110) -> bytes:
    """A small PNG like a photographed certificate: a cream card with a navy
    band across the top and a gold seal at the bottom right."""
    cream, navy, gold = b"\xf7\xf1\xdf", b"\x1f\x2a\x55", b"\xc8\x9b\x2a"
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            if y < height // 5:
                row += navy
            elif width - 40 <= x < width - 16 and height - 36 <= y < height - 12:
                row += gold
            else:
                row += cream
        rows.append(b"\x00" + bytes(row))  # filter type 0 for each row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------
# Dates away
# --------------------------------------------------------------------------


def dates_away(rng: random.Random, carers: Sequence[Carer], today: datetime.date, share: float):
    """Stretches away over the coming months for about ``share`` of
    ``carers`` (one may have begun a few days ago). One household's never
    overlap, as the database insists."""
    rows = []
    for carer in carers:
        if rng.random() >= share:
            continue
        day = today + rng.randint(-3, 45) * DAY
        for _ in range(rng.choices((1, 2, 3), weights=(50, 35, 15))[0]):
            # One that began a few days ago is long enough to be still going on.
            days = rng.choice((2, 3, 4, 7, 7, 10, 14) if day > today else (7, 10, 14))
            if days <= 4 and day > today:
                day += (4 - day.weekday()) % 7 * DAY  # a long weekend: from Friday
            rows.append(
                Unavailability(
                    carer=carer, starts_on=day, ends_on=day + (days - 1) * DAY, note=rng.choice(AWAY_NOTES)
                )
            )
            day += (days + rng.randint(21, 70)) * DAY
    return rows


def save_dates_away(seed: int, carers: Sequence[Carer], share: float = 0.4) -> str:
    """Dates away for about ``share`` of the approved ``carers`` (saved)."""
    approved = [carer for carer in carers if carer.status == CarerStatus.APPROVED]
    rows = dates_away(random.Random(seed), approved, timezone.localdate(), share)
    Unavailability.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return f"{len(rows):,} dates away"


# --------------------------------------------------------------------------
# Changes and certificates, told as they happened
# --------------------------------------------------------------------------


@dataclass
class Step:
    at: datetime.datetime
    do: Callable[[], object]


class PortalBuilder:
    """Plans each step of the portal stories, then runs them in time order,
    each on a clock set to when it happened."""

    def __init__(self, seed: int, carers: Sequence[Carer]):
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.carers = list(carers)
        self.scheme = self.carers[0].scheme
        self.steps: list[Step] = []
        self.staff = {
            m.user_id: m
            for m in Membership.objects.filter(
                scheme=self.scheme, role__in=[Role.COORDINATOR, Role.MANAGER]
            ).select_related("user")
        }
        self.logins = list(
            Membership.objects.filter(scheme=self.scheme, role=Role.CARER)
            .select_related("user", "carer")
            .order_by("user__username")
        )

    # Times ----------------------------------------------------------------------

    def moment(self, day: datetime.date, evening: bool = False) -> datetime.datetime:
        """A time on ``day``: office hours for staff, the evening for carers."""
        hour = self.rng.randint(18, 21) if evening else self.rng.randint(9, 16)
        time = datetime.time(hour, self.rng.choice((0, 5, 15, 25, 35, 45, 50)))
        return timezone.make_aware(datetime.datetime.combine(day, time))

    def ago(self, days: int, evening: bool = False) -> datetime.datetime:
        return self.moment(self.today - days * DAY, evening)

    def later(self, after: datetime.datetime, low: int = 1, high: int = 2) -> datetime.datetime:
        """Office hours one to a few days after ``after``."""
        return self.moment(timezone.localdate(after) + self.rng.randint(low, high) * DAY)

    def at(self, when: datetime.datetime, do: Callable[[], object]) -> None:
        if when >= self.now:
            raise RuntimeError(f"A portal step is planned for {when}, which has not happened yet.")
        self.steps.append(Step(when, do))

    # Who ------------------------------------------------------------------------

    def coordinator_of(self, carer: Carer) -> Membership:
        """Who answers the household's changes: its coordinator, or (if that is
        the registered manager) the scheme's first coordinator."""
        own = self.staff.get(carer.coordinator_id)
        if own is not None and own.role == Role.COORDINATOR:
            return own
        return min(
            (m for m in self.staff.values() if m.role == Role.COORDINATOR), key=lambda m: m.user.username
        )

    # Steps ----------------------------------------------------------------------

    def change(
        self,
        by: Membership,
        carer: Carer,
        kind: str,
        days_ago: int,
        values: dict | None = None,
        *,
        target=None,
        answer: str = "",
        reason: str = "",
        noted: bool = False,
    ) -> None:
        """A change proposed ``days_ago`` by ``by``, then accepted, declined
        or noted by the household's coordinator a day or two later."""
        proposed = self.ago(days_ago, evening=by.is_carer)
        made: list[ChangeRequest] = []

        def propose():
            fresh = Carer.objects.get(pk=carer.pk)  # as the earlier steps left it
            target_id = target.pk if target is not None else None
            made.append(
                propose_change(carer=fresh, membership=by, kind=kind, values=values, target_id=target_id)
            )

        self.at(proposed, propose)
        staff = self.coordinator_of(carer)
        if answer == ACCEPT:
            self.at(
                self.later(proposed), lambda: accept_change(change=made[0], membership=staff, reason=reason)
            )
        elif answer == DECLINE:
            self.at(
                self.later(proposed), lambda: decline_change(change=made[0], membership=staff, reason=reason)
            )
        if noted:
            self.at(self.later(proposed), lambda: note_change(change=made[0], membership=staff))

    def certificate(
        self,
        by: Membership,
        kind: str,
        days_ago: int,
        name: str,
        data: bytes,
        note: str = "",
        *,
        verified: bool = False,
    ) -> None:
        uploaded = self.ago(days_ago, evening=True)
        content_type = "application/pdf" if name.endswith(".pdf") else "image/png"
        made: list[Certificate] = []

        def upload():
            made.append(
                Certificate.objects.create(
                    carer=by.carer,
                    kind=kind,
                    file=ContentFile(data, name=name),
                    original_name=name,
                    content_type=content_type,
                    size=len(data),
                    note=note,
                    uploaded_by=by.user,
                )
            )

        def verify():
            made[0].verified_by = self.coordinator_of(by.carer).user
            made[0].verified_at = timezone.now()
            made[0].save(update_fields=["verified_by", "verified_at"])

        self.at(uploaded, upload)
        if verified:
            self.at(self.later(uploaded, 1, 3), verify)

    # Details ---------------------------------------------------------------------

    def mobile(self) -> str:
        # Ofcom's drama range, as in sharedlives.demo: nobody real is ever rung.
        return f"07700 900{self.rng.randrange(1000):03d}"

    def new_member(self, carer: Carer, age: int, relationship: str, female: bool) -> dict:
        language = next((lang for lang in carer.languages if lang in NEW_MEMBER_NAMES), "")
        taken = {carer.first_name, carer.joint_first_name}
        taken |= {member.name.split()[0] for member in carer.household_members.all()}
        names = [name for name in NEW_MEMBER_NAMES[language][0 if female else 1] if name not in taken]
        born = add_months(self.today, -12 * age) - self.rng.randint(40, 300) * DAY
        return {
            "name": f"{self.rng.choice(names)} {carer.last_name}",
            "relationship": relationship,
            "date_of_birth": born,
        }

    def pet_name(self, carer: Carer) -> str:
        taken = {pet.name for pet in carer.pets.all()}
        return self.rng.choice([name for name in NEW_PET_NAMES if name not in taken])

    def away(self, starts_in: int, days: int, note: str) -> dict:
        starts = self.today + starts_in * DAY
        return {"starts_on": starts, "ends_on": starts + (days - 1) * DAY, "note": note}

    @staticmethod
    def room_values(room, **changes) -> dict:
        fields = ("name", "ground_floor", "step_free", "own_bathroom", "notes")
        return {name: getattr(room, name) for name in fields} | changes

    def new_room_name(self, carer: Carer) -> str:
        taken = {room.name for room in carer.rooms.all()}
        return next(name for name in ROOM_NAMES if name not in taken)

    # Stories ---------------------------------------------------------------------

    def first_login(self, me: Membership) -> None:
        """Changes in every state; a new member and a new pet waiting."""
        carer = me.carer
        self.change(
            me, carer, ChangeKind.CONTACT, 19, {"phone": self.mobile(), "email": carer.email}, noted=True
        )
        self.change(
            me,
            carer,
            ChangeKind.ADD_ROOM,
            16,
            {
                "name": self.new_room_name(carer),
                "ground_floor": False,
                "step_free": False,
                "own_bathroom": False,
                "notes": "Just cleared out; could take a single bed.",
            },
            answer=DECLINE,
            reason="We need to see a room before we can offer it to anyone, so I have said no for now. "
            "I will ring you to book a visit; tell us about it again after that.",
        )
        self.change(me, carer, ChangeKind.AVAILABILITY, 9, self.away(24, 3, "Family wedding"), noted=True)
        self.change(me, carer, ChangeKind.AVAILABILITY, 4, self.away(68, 7, "Caravan holiday in Filey"))
        self.change(
            me,
            carer,
            ChangeKind.ADD_PET,
            3,
            {
                "kind": PetKind.DOG,
                "name": self.pet_name(carer),
                "notes": "A young Labrador, friendly and house-trained.",
            },
        )
        female = self.rng.random() < 0.5
        self.change(
            me,
            carer,
            ChangeKind.ADD_MEMBER,
            2,
            self.new_member(carer, 17, "niece" if female else "nephew", female),
        )
        # From the demo's one list of interests, so that matching on them works.
        extra = [name for name in ("walking", "cinema", "reading", "swimming") if name not in carer.interests]
        self.change(
            me,
            carer,
            ChangeKind.INTERESTS,
            1,
            {"interests": [*carer.interests, *extra[:2]], "languages": carer.languages},
        )
        self.certificate(
            me,
            CheckKind.FIRST_AID,
            20,
            "First aid certificate.png",
            png_image(),
            "From the course at the community centre.",
            verified=True,
        )
        self.certificate(
            me,
            CheckKind.GAS_SAFETY,
            5,
            "Gas safety record.pdf",
            self.record(
                carer,
                "Gas safety record",
                [
                    f"Date of check: {self.today - 6 * DAY:%-d %B %Y}",
                    "Boiler and gas hob checked: safe to use.",
                ],
            ),
            "This year's check, done on the boiler service.",
        )

    def second_login(self, me: Membership) -> None:
        """An accepted pet, a declined room change and a room change waiting."""
        carer = me.carer
        rooms = list(carer.rooms.all())
        email = f"{re.sub('[^a-z]', '', carer.first_name.lower())}.home@example.org"
        self.change(
            me,
            carer,
            ChangeKind.ADD_PET,
            24,
            {
                "kind": PetKind.CAT,
                "name": self.pet_name(carer),
                "notes": "A rescue cat, about three years old.",
            },
            answer=ACCEPT,
        )
        self.change(me, carer, ChangeKind.CONTACT, 20, {"phone": carer.phone, "email": email}, noted=True)
        self.change(
            me,
            carer,
            ChangeKind.CHANGE_ROOM,
            5,
            self.room_values(rooms[0], notes="Just redecorated, with a new double bed and blackout blinds."),
            target=rooms[0],
        )
        shared = [room for room in rooms[1:] if not room.own_bathroom]
        if shared:
            self.change(
                me,
                carer,
                ChangeKind.CHANGE_ROOM,
                13,
                self.room_values(shared[0], own_bathroom=True),
                target=shared[0],
                answer=DECLINE,
                reason="When I visited, the new shower room was across the landing and shared, so the room "
                "does not have its own bathroom. I have left it as it was; ring me if I have got that wrong.",
            )
        self.change(me, carer, ChangeKind.AVAILABILITY, 11, self.away(40, 10, "Visiting family"), noted=True)
        self.change(me, carer, ChangeKind.AVAILABILITY, 2, self.away(95, 4, ""))
        self.certificate(
            me,
            CheckKind.HOME_INSURANCE,
            17,
            "Home insurance schedule.pdf",
            self.record(
                carer,
                "Home insurance schedule",
                ["Buildings and contents cover for one year.", "The insurer knows about Shared Lives."],
            ),
            verified=True,
        )
        self.certificate(
            me,
            CheckKind.DBS,
            3,
            "DBS update check.pdf",
            self.record(
                carer,
                "DBS Update Service: status check",
                ["This certificate remains current.", "No new information has been found."],
            ),
            "The annual check on the Update Service.",
        )

    def others(self, households: Sequence[Carer]) -> None:
        """Changes a coordinator took down over the phone."""
        with_pet = next((carer for carer in households if carer.pets.all()), households[0])
        rest = [carer for carer in households if carer != with_pet]
        on_behalf = self.coordinator_of
        pet = next(iter(with_pet.pets.all()), None)
        if pet is not None:
            self.change(
                on_behalf(with_pet),
                with_pet,
                ChangeKind.REMOVE_PET,
                15,
                target=pet,
                answer=ACCEPT,
                reason=f"So sorry to hear about {pet.name}." if pet.name else "",
            )
        self.change(
            on_behalf(with_pet),
            with_pet,
            ChangeKind.ADD_MEMBER,
            6,
            self.new_member(with_pet, 22, "son", False),
        )
        smoker = rest[0]
        self.change(
            on_behalf(smoker),
            smoker,
            ChangeKind.SMOKING,
            3,
            {"smoking": Smoking.OUTSIDE if smoker.smoking == Smoking.NO_ONE else Smoking.NO_ONE},
        )
        self.change(
            on_behalf(smoker), smoker, ChangeKind.CONTACT, 8, {"phone": self.mobile(), "email": smoker.email}
        )
        room = next(iter(rest[1].rooms.all()))
        self.change(
            on_behalf(rest[1]),
            rest[1],
            ChangeKind.CHANGE_ROOM,
            12,
            self.room_values(room, notes="New carpet and a bigger wardrobe."),
            target=room,
            answer=ACCEPT,
        )

    def record(self, carer: Carer, title: str, lines: Sequence[str]) -> bytes:
        return pdf_document(
            [
                title,
                carer.name,
                f"{carer.address_line_1}, {carer.town} {carer.postcode}",
                "",
                *lines,
                "",
                "A demo file made by seed_demo: not a real certificate.",
            ]
        )

    # Building --------------------------------------------------------------------

    def build(self) -> str:
        import time_machine  # a development dependency, like Faker

        stories = [self.first_login, self.second_login]
        for login, story in zip(self.logins, stories, strict=False):
            story(login)
        with_login = {login.carer_id for login in self.logins}
        approved = [c for c in self.carers if c.status == CarerStatus.APPROVED and c.pk not in with_login]
        # Households approved a while ago, so that their changes come after it.
        settled = [carer for carer in approved if carer.status_changed_at < self.now - 90 * DAY]
        chosen = sorted(carer.pk for carer in self.rng.sample(settled, 3))
        self.others(
            list(Carer.objects.filter(pk__in=chosen).order_by("pk").prefetch_related("pets", "rooms"))
        )
        for step in sorted(self.steps, key=lambda step: step.at):
            with time_machine.travel(step.at, tick=False):
                step.do()
        # The households with logins told the scheme theirs through the portal.
        Unavailability.objects.bulk_create(dates_away(self.rng, approved, self.today, share=0.5))
        changes = ChangeRequest.objects.filter(carer__scheme=self.scheme).count()
        certificates = Certificate.objects.filter(carer__scheme=self.scheme).count()
        dates = Unavailability.objects.filter(carer__scheme=self.scheme).count()
        return f"portal: {changes} changes, {certificates} certificates, {dates} dates away"


def build_portal(seed: int, carers: Sequence[Carer]) -> str:
    """The portal stories for one scheme's saved ``carers`` (see the module's docstring)."""
    return PortalBuilder(seed, carers).build()
