"""Custom Rasa components, exercised for real in the Rasa environment (.venv-rasa)."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap

import pytest

from bot.cli.settings import REPO_ROOT, RasaSettings

pytestmark = pytest.mark.integration

SCRIPT = textwrap.dedent(
    """
    import json, sys, yaml
    from rasa.shared.nlu.training_data.message import Message
    from nlu.components.emergency_override import EmergencyOverride
    from nlu.components.use_featurizer import UniversalSentenceEncoderFeaturizer

    config = yaml.safe_load(open("nlu/config.yml", encoding="utf-8"))
    entry = next(c for c in config["pipeline"] if c["name"].endswith("EmergencyOverride"))
    override = EmergencyOverride({**EmergencyOverride.get_default_config(), **entry})
    out = {}
    for text in json.loads(sys.argv[1]):
        message = Message(data={"text": text, "intent": {"name": "ask_subsidy", "confidence": 0.8},
                                "intent_ranking": [{"name": "ask_subsidy", "confidence": 0.8}]})
        override.process([message])
        out[text] = [message.get("intent")["name"], [r["name"] for r in message.get("intent_ranking")]]
    featurizer = UniversalSentenceEncoderFeaturizer(
        UniversalSentenceEncoderFeaturizer.get_default_config(), "use")
    message = Message(data={"text": "我妈洗澡不方便"})
    featurizer.process([message])
    sequence, sentence = message.get_dense_features("text", [])
    out["_features"] = [sequence is None, list(sentence.features.shape)]
    scaled = UniversalSentenceEncoderFeaturizer(
        {**UniversalSentenceEncoderFeaturizer.get_default_config(), "scale": 5.0}, "use")
    message = Message(data={"text": "我妈洗澡不方便"})
    scaled.process([message])
    import numpy as np
    out["_norms"] = [round(float(np.linalg.norm(sentence.features)), 2),
                     round(float(np.linalg.norm(message.get_dense_features("text", [])[1].features)), 2)]
    rejected = []
    for bad in (0, -1.0, "5", True):
        try:
            UniversalSentenceEncoderFeaturizer.validate_config(
                {**UniversalSentenceEncoderFeaturizer.get_default_config(), "scale": bad})
        except Exception as exc:
            rejected.append(type(exc).__name__)
    out["_rejected"] = rejected

    from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
    from nlu.components.unknown_words_fallback import UnknownWordsFallback
    tokenizer = JiebaTokenizer.create(JiebaTokenizer.get_default_config(), None, None, None)
    fallback = UnknownWordsFallback(
        UnknownWordsFallback.get_default_config(), None, None, {"低保", "老人", "补贴", "上门", "洗澡"})
    unknown = {}
    for text in ["低保 老人 补贴", "咕噜 哔哩 嘟嘟", "低保 哔哩 嘟嘟 咕噜", "好的", "上门 洗澡 哔哩"]:
        message = Message(data={"text": text, "intent": {"name": "greet", "confidence": 0.9},
                                "intent_ranking": [{"name": "greet", "confidence": 0.9}]})
        tokenizer.process([message])
        fallback.process([message])
        unknown[text] = message.get("intent")["name"]
    out["_unknown"] = unknown
    print(json.dumps(out, ensure_ascii=False))
    """
)


@pytest.fixture(scope="module")
def results() -> dict[str, list[object]]:
    python = RasaSettings().rasa_bin.parent / "python"
    texts = ["我妈摔倒了起不来", "快来人啊 救命", "我爸胸口疼喘不上气", "老爷子出门到现在找不着了",
             "我真的不想活了", "家里煤气味很重", "低保老人能多领钱吗", "我妈以前摔过，有适老化改造补贴吗",
             "打电话找不到人", "我住在金台区"]  # fmt: skip
    proc = subprocess.run(
        [str(python), "-c", SCRIPT, json.dumps(texts, ensure_ascii=False)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=True,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"},
    )  # fmt: skip
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "text",
    [
        "我妈摔倒了起不来",
        "快来人啊 救命",
        "我爸胸口疼喘不上气",
        "老爷子出门到现在找不着了",
        "我真的不想活了",
        "家里煤气味很重",
    ],
)
def test_emergencies_are_classified_as_emergency_and_keep_the_models_guess(
    results: dict[str, list[object]], text: str
) -> None:
    intent, ranking = results[text]
    assert intent == "emergency"
    assert ranking == ["emergency", "ask_subsidy"]


@pytest.mark.parametrize(
    "text", ["低保老人能多领钱吗", "我妈以前摔过，有适老化改造补贴吗", "打电话找不到人", "我住在金台区"]
)
def test_ordinary_messages_are_left_alone(results: dict[str, list[object]], text: str) -> None:
    assert results[text][0] == "ask_subsidy"


def test_use_featurizer_adds_a_512_dimensional_sentence_feature_only(
    results: dict[str, list[object]],
) -> None:
    assert results["_features"] == [True, [1, 512]]


def test_use_featurizer_scales_the_unit_vector_by_the_configured_factor(
    results: dict[str, list[object]],
) -> None:
    assert results["_norms"] == [1.0, 5.0]


def test_use_featurizer_rejects_a_scale_that_is_not_a_positive_number(
    results: dict[str, list[object]],
) -> None:
    assert results["_rejected"] == ["InvalidConfigException"] * 4


def test_unknown_words_fallback_replaces_the_intent_of_babble_only(results: dict[str, object]) -> None:
    assert results["_unknown"] == {
        "低保 老人 补贴": "greet",
        "咕噜 哔哩 嘟嘟": "nlu_fallback",
        "低保 哔哩 嘟嘟 咕噜": "nlu_fallback",  # a quarter known: below a third
        "好的": "greet",  # too short to judge
        "上门 洗澡 哔哩": "greet",  # two thirds known
    }
