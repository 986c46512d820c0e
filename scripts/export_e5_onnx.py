"""Export multilingual-e5-small (models/e5-small-st, from scripts/convert_e5.py) to ONNX
for Rasa's e5 featurizer (nlu/e5_featurizer.py).

Rasa runs on Python 3.10, where no PyTorch exists; onnxruntime runs the network there,
with the mean pooling and the L2 normalisation inside the graph. The matrix products are
then quantized to int8 (onnxruntime's dynamic quantization, weights per output channel;
the word-embedding table stays float): e5 was a quarter of Rasa's CPU per message, and
int8 runs it about 2.4 times as fast, with vectors within cosine 0.99 of the float
network's (0.997 on average over the danger dev set; tests/nlu/test_e5_featurizer.py).
Activations are quantized per call, over the whole batch, so Rasa embeds one message at
a time, in training as in serving. The tokenizer goes alongside.

    python -m scripts.export_e5_onnx [SOURCE] [OUT]   (models/e5-small-st, models/e5-small-onnx)
"""
import argparse
import shutil
import sys
from pathlib import Path

import torch
from transformers import BertModel

ROOT = Path(__file__).resolve().parent.parent
OPSET = 17


class SentenceVector(torch.nn.Module):
    """BERT, mean of the token states under the attention mask, unit length: what the
    sentence-transformers folder (Transformer, Pooling "mean", Normalize) computes."""

    def __init__(self, bert: BertModel) -> None:
        super().__init__()
        self.bert = bert

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        states = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        weights = attention_mask.unsqueeze(-1).to(states.dtype)
        mean = (states * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(mean, dim=-1)


def quantize(source: Path, target: Path) -> None:
    """int8 matrix products, per output channel (per tensor lost more: cosine 0.988).
    Weights in 7 bits (reduce_range): on x86 CPUs without VNNI (AVX2 only, like some
    machines CI runs on) onnxruntime's u8 x s8 products can saturate, and the same model
    gave other vectors there (mean cosine 0.9955 instead of 0.997 on the dev set) and so
    another trained model; with 7-bit weights nothing saturates on any CPU (0.9967)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul"], per_channel=True, reduce_range=True)


def export(source: Path, out: Path) -> None:
    if not (source / "tokenizer.json").exists():
        sys.exit(f"{source}: no tokenizer.json (make embeddings builds it)")
    network = SentenceVector(BertModel.from_pretrained(str(source)).eval())
    # A sample of two sentences of different lengths, so that batch and length stay free.
    ids = torch.tensor([[0, 1294, 12, 5, 2], [0, 1294, 2, 1, 1]])
    mask = (ids != 1).long()
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with torch.no_grad():
        torch.onnx.export(
            network, (ids, mask), str(tmp / "float.onnx"),
            input_names=["input_ids", "attention_mask"], output_names=["embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                          "attention_mask": {0: "batch", 1: "tokens"},
                          "embedding": {0: "batch"}},
            opset_version=OPSET, dynamo=False,
        )
    quantize(tmp / "float.onnx", tmp / "model.onnx")
    (tmp / "float.onnx").unlink()
    shutil.copy(source / "tokenizer.json", tmp / "tokenizer.json")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    print(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", default=ROOT / "models" / "e5-small-st", type=Path)
    parser.add_argument("out", nargs="?", default=ROOT / "models" / "e5-small-onnx", type=Path)
    args = parser.parse_args()
    export(args.source, args.out)


if __name__ == "__main__":
    main()
