"""The same data set through every Kafka compression codec, both OTLP encodings and different flush windows
gives identical answers."""

from __future__ import annotations

import pytest

import otlp_data
from compare import assert_answers, fetch_answers, strip_volatile
from expect import expected_for
from kafka_util import CODECS, produce

# (encoding of the records, compression.type, census --encoding)
VARIANTS = [("proto", codec, None) for codec in CODECS] + [
    ("json", "none", None),        # auto-detected
    ("json", "zstd", "json"),      # forced
    ("mixed", "lz4", None),        # proto and json records in the same topics, auto-detected
]
ANSWERS: dict[str, dict] = {}


@pytest.fixture(scope="module")
def dataset():
    data = otlp_data.build_dataset(seed=23, messages=25)
    return data, expected_for(data)


def _records(data, encoding):
    if encoding != "mixed":
        return otlp_data.records(data, encoding)
    proto, json_ = otlp_data.records(data, "proto"), otlp_data.records(data, "json")
    return [j if i % 2 else p for i, (p, j) in enumerate(zip(proto, json_))]


@pytest.mark.parametrize("encoding,codec,census_encoding", VARIANTS, ids=[f"{e}-{c}{'-forced' if f else ''}" for e, c, f in VARIANTS])
def test_codec_and_encoding(dataset, broker, clickhouse, census_factory, encoding, codec, census_encoding):
    data, expected = dataset
    extra = ["--encoding", census_encoding] if census_encoding else []
    census = census_factory(broker, clickhouse, extra_args=extra)
    produce(broker.bootstrap, _records(data, encoding), compression=codec)
    census_factory.offsets(broker, census).wait_caught_up(diagnostics=census.log_tail)
    answers = fetch_answers(census)
    assert_answers(expected.answers(), answers, context=f" ({encoding}, compression {codec})")
    ANSWERS[f"{encoding}-{codec}"] = strip_volatile(answers)


def _without_capped_samples(answers):
    """Answers with every full (10-element) value_samples list blanked: which 10 of more than 10 values are kept is
    checked by test_answers_do_not_depend_on_flush_windows, not here."""
    if isinstance(answers, dict):
        return {k: ("<10 samples>" if k == "value_samples" and isinstance(v, list) and len(v) >= 10 else _without_capped_samples(v))
                for k, v in answers.items()}
    if isinstance(answers, list):
        return [_without_capped_samples(x) for x in answers]
    return answers


def _assert_identical(answers: dict[str, dict], transform=lambda a: a):
    if len(answers) < 2:
        pytest.skip("needs at least two passing variants")
    (base_name, base), *rest = sorted((n, transform(a)) for n, a in answers.items())
    different = {name: list(_diff_paths(base, a))[:8] for name, a in rest if a != base}
    assert not different, f"answers differ from {base_name}:\n" + "\n".join(f"  {n}: {d}" for n, d in different.items())


def test_all_variants_answer_identically():
    _assert_identical(ANSWERS, _without_capped_samples)


# How records are cut into flush windows must not change any answer (Sources/Store/Model/MetadataBatch.swift:
# "the stored answer does not depend on how records were split into windows").
WINDOWS = [("default", [], "1"), ("rows-50", ["--flush-rows", "50"], "1"), ("interval-0.05s", [], "0.05")]
WINDOW_ANSWERS: dict[str, dict] = {}


@pytest.mark.parametrize("name,extra,interval", WINDOWS, ids=[w[0] for w in WINDOWS])
def test_flush_window(dataset, broker, clickhouse, census_factory, name, extra, interval):
    data, expected = dataset
    census = census_factory(broker, clickhouse, extra_args=extra, flush_interval=interval)
    produce(broker.bootstrap, otlp_data.records(data))
    census_factory.offsets(broker, census).wait_caught_up(diagnostics=census.log_tail)
    answers = fetch_answers(census)
    assert_answers(expected.answers(), answers, context=f" (flush windows: {name})")
    WINDOW_ANSWERS[name] = strip_volatile(answers)


def test_answers_do_not_depend_on_flush_windows():
    _assert_identical(WINDOW_ANSWERS)


def _diff_paths(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            yield from _diff_paths(a.get(k), b.get(k), f"{path}/{k}")
    elif a != b:
        yield f"{path}: {str(a)[:150]} != {str(b)[:150]}"
