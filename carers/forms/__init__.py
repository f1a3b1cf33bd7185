"""Carer forms, one module per workflow, as in carers/views/."""

from carers.forms.records import (
    CarerFilterForm,
    CarerForm,
    HouseholdMemberForm,
    HouseholdMemberFormSet,
    PetFormSet,
    RoomFormSet,
)

__all__ = [
    "CarerFilterForm",
    "CarerForm",
    "HouseholdMemberForm",
    "HouseholdMemberFormSet",
    "PetFormSet",
    "RoomFormSet",
]
