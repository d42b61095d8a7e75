"""Builds a tiny sentence-transformers model on disk, offline, for testing the encoder path."""

from __future__ import annotations

from pathlib import Path

CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所"
    "民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
    "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想"
    "已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "几九区强放决西被干做必战先回则任取据处理"
)
CHARS += "养老服务社区居家补贴助餐浴医保低户申报材料截止村镇街道护理床位面积平方米"


def build_tiny_model(directory: Path, prompts: dict[str, str] | None = None) -> Path:
    """Save a randomly initialised 1-layer BERT with mean pooling as a sentence-transformers model."""
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizer

    raw = directory / "bert"
    raw.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *dict.fromkeys(CHARS), "："]
    (raw / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizer(str(raw / "vocab.txt")).save_pretrained(str(raw))
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
    )
    BertModel(config).save_pretrained(str(raw))
    try:  # sentence-transformers 6 moved the modules (the old path warns)
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # older releases
        from sentence_transformers.models import Pooling, Transformer
    transformer = Transformer(str(raw), max_seq_length=64)
    get_dim = (
        getattr(transformer, "get_embedding_dimension", None) or transformer.get_word_embedding_dimension
    )
    pooling = Pooling(get_dim(), pooling_mode="mean")
    model = SentenceTransformer(modules=[transformer, pooling], prompts=prompts or {}, device="cpu")
    out = directory / "st"
    model.save(str(out))
    return out
