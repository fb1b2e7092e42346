"""The same data set through every Kafka compression codec and both OTLP encodings gives identical answers."""

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


def test_all_variants_answer_identically():
    if len(ANSWERS) < 2:
        pytest.skip("needs at least two passing variants")
    (base_name, base), *rest = sorted(ANSWERS.items())
    different = {name: list(_diff_paths(base, a))[:8] for name, a in rest if a != base}
    assert not different, f"answers differ from {base_name}:\n" + "\n".join(f"  {n}: {d}" for n, d in different.items())


def _diff_paths(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            yield from _diff_paths(a.get(k), b.get(k), f"{path}/{k}")
    elif a != b:
        yield f"{path}: {str(a)[:150]} != {str(b)[:150]}"
