"""The box of latitudes and longitudes outside which matching takes a home
to be too far without measuring it: it must never leave out a home that is
within the furthest distance."""

import math
import random

import pytest

from placements.matching.sql import EARTH_RADIUS_MILES, surely_further_params


def _miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat_a, lon_a, lat_b, lon_b = map(math.radians, (*a, *b))
    half_chord = (
        math.sin((lat_b - lat_a) / 2) ** 2
        + math.cos(lat_a) * math.cos(lat_b) * math.sin((lon_b - lon_a) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(half_chord))


def _outside(box: dict, point: tuple[float, float]) -> bool:
    lat, lon = point
    return not (
        box["far_lat_lo"] <= lat <= box["far_lat_hi"] and box["far_lon_lo"] <= lon <= box["far_lon_hi"]
    )


@pytest.mark.parametrize(
    "to", [(53.96949, -2.00387), (50.1, -5.5), (60.8, -0.9), (-33.9, 151.2), (70.0, 25.0), (0.0, 0.0)]
)
@pytest.mark.parametrize("miles", [1, 8, 25, 200])
def test_every_home_outside_the_box_is_further_than_the_furthest_distance(to, miles):
    box = {key: float(value) for key, value in surely_further_params(to, miles).items()}
    rng = random.Random(f"{to}{miles}")
    reach = 3 * miles / 69
    outside = 0
    for _ in range(20_000):
        point = (to[0] + rng.uniform(-reach, reach), to[1] + rng.uniform(-2 * reach, 2 * reach))
        if _outside(box, point):
            outside += 1
            assert _miles(to, point) > miles, point
    assert outside > 1000  # the box does leave most of the far homes out


def test_a_home_just_within_the_distance_is_inside_the_box():
    to, miles = (53.96949, -2.00387), 8
    box = {key: float(value) for key, value in surely_further_params(to, miles).items()}
    north = (to[0] + 0.999 * math.degrees(miles / EARTH_RADIUS_MILES), to[1])
    west = (to[0], to[1] - 0.999 * math.degrees(miles / EARTH_RADIUS_MILES) / math.cos(math.radians(to[0])))

    assert _miles(to, north) < miles and not _outside(box, north)
    assert _miles(to, west) < miles and not _outside(box, west)


@pytest.mark.parametrize("to, miles", [((89.5, 0.0), 25), ((51.0, 179.9), 25), ((51.0, 0.0), 7000)])
def test_there_is_no_box_near_a_pole_the_180th_meridian_or_half_the_world(to, miles):
    assert surely_further_params(to, miles) is None
