"""Named random streams: reproducible, independent of each other and of the order of use."""

from __future__ import annotations

import numpy as np

from sim.streams import Streams, stream_key


def test_same_seed_and_name_give_same_numbers():
    a = Streams(42)["participation"].random(20)
    b = Streams(42)["participation"].random(20)
    np.testing.assert_array_equal(a, b)


def test_different_names_give_different_numbers():
    streams = Streams(42)
    a = streams["participation"].random(20)
    b = streams["job_finding"].random(20)
    assert not np.any(a == b)


def test_different_seeds_give_different_numbers():
    a = Streams(1)["needs"].random(20)
    b = Streams(2)["needs"].random(20)
    assert not np.any(a == b)


def test_a_stream_does_not_depend_on_other_streams_used_first():
    fresh = Streams(7)["job_finding"].random(50)

    busy = Streams(7)
    busy["participation"].random(1000)
    busy["needs"].random((300, 4))
    after_others = busy["job_finding"].random(50)

    np.testing.assert_array_equal(fresh, after_others)


def test_other_streams_do_not_shift_an_already_started_stream():
    streams_a = Streams(3)
    first_a = streams_a["moves"].random(10)
    streams_a["outreach"].random(500)
    second_a = streams_a["moves"].random(10)

    streams_b = Streams(3)
    first_b = streams_b["moves"].random(10)
    second_b = streams_b["moves"].random(10)

    np.testing.assert_array_equal(first_a, first_b)
    np.testing.assert_array_equal(second_a, second_b)


def test_the_same_name_returns_the_same_generator_which_continues():
    streams = Streams(5)
    gen = streams["x"]
    assert streams["x"] is gen
    first = gen.random(5)
    second = streams["x"].random(5)
    # A continued stream, not a restarted one.
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(np.concatenate((first, second)), Streams(5)["x"].random(10))


def test_stream_key_is_stable_across_processes():
    # crc32 of b"participation", fixed (Python's salted hash() would change per process).
    import zlib

    assert stream_key("participation") == zlib.crc32(b"participation")
    assert stream_key("a") != stream_key("b")


def test_seed_is_converted_to_int():
    assert Streams(np.int64(9)).seed == 9
    np.testing.assert_array_equal(Streams(np.int64(9))["s"].random(3), Streams(9)["s"].random(3))
