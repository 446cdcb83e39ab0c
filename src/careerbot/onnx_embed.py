"""The sentence-transformers model as one ONNX graph (encoder + mean pooling + L2 norm), run without torch.

Importing torch and sentence-transformers costs 4-13 s on these machines; onnxruntime and tokenizers
0.3 s. So the model is exported once (the only time torch is imported), into the data dir under a key
made of the model files' hashes, and queries and documents are embedded with onnxruntime.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Bump when the exported graph changes, so old exports are not reused.
EXPORT_VERSION = "2"  # 2: eager attention, fused by onnxruntime's transformer optimizer
_MODEL_FILES = (
    "config.json",
    "model.safetensors",
    "pytorch_model.bin",
    "tokenizer.json",
    "modules.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
)
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class NotExportable(Exception):
    """The model folder is not a mean-pooled, normalised sentence-transformers model we can export."""


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def check_exportable(model_path: Path) -> int:
    """The model's max sequence length; raises NotExportable unless it is mean pooling + Normalize."""
    modules = json.loads((model_path / "modules.json").read_text(encoding="utf-8"))
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    pooling = _read_json(model_path / "1_Pooling" / "config.json")
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v}
    if kinds != ["Transformer", "Pooling", "Normalize"] or modes != {"pooling_mode_mean_tokens"}:
        raise NotExportable(f"modules {kinds}, pooling {sorted(modes)}")
    if not (model_path / "tokenizer.json").exists():
        raise NotExportable("no tokenizer.json")
    return int(_read_json(model_path / "sentence_bert_config.json").get("max_seq_length", 256))


def _file_hash(path: Path, memo: dict[str, list[Any]]) -> str:
    """sha256 of a file, remembered by (size, mtime) so a start does not re-read 90 MB of weights."""
    stat = path.stat()
    key = str(path.resolve())
    seen = memo.get(key)
    if seen and seen[0] == stat.st_size and seen[1] == stat.st_mtime_ns:
        return str(seen[2])
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    memo[key] = [stat.st_size, stat.st_mtime_ns, digest.hexdigest()]
    return digest.hexdigest()


def export_key(model_path: Path, cache_dir: Path) -> str:
    """A short hash of the model files' contents (and the export recipe)."""
    memo_file = cache_dir / "hashes.json"
    memo = _read_json(memo_file)
    before = dict(memo)
    digest = hashlib.sha256(f"export-v{EXPORT_VERSION}".encode())
    for name in _MODEL_FILES:
        path = model_path / name
        if path.exists():
            digest.update(f"{name}={_file_hash(path, memo)};".encode())
    if memo != before:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = memo_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(memo), encoding="utf-8")
        tmp.replace(memo_file)
    return digest.hexdigest()[:20]


def export_onnx(model_path: Path, target: Path) -> None:
    """Write encoder + mean pooling + L2 normalisation as one fp32 ONNX graph (imports torch, once)."""
    import torch
    from transformers import AutoModel

    # Eager attention exports as the plain MatMul/Softmax pattern that onnxruntime fuses (below);
    # the default (SDPA) exports as a graph it cannot fuse. Same vectors either way.
    encoder = AutoModel.from_pretrained(
        str(model_path), local_files_only=True, attn_implementation="eager"
    ).eval()

    class Pooled(torch.nn.Module):
        """Mean of the token vectors under the attention mask, then unit length (as sentence-transformers)."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            tokens = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )[0]
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            mean = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    sample = torch.ones(2, 8, dtype=torch.long)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    axes = {name: {0: "batch", 1: "tokens"} for name in _INPUTS}
    with torch.no_grad():
        torch.onnx.export(
            Pooled(),
            (sample, sample, torch.zeros_like(sample)),
            str(partial),
            dynamo=False,  # the TorchScript exporter needs only `onnx`; dynamo also wants onnxscript
            input_names=list(_INPUTS),
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=17,
        )
    _fuse(partial, _read_json(model_path / "config.json"))
    partial.replace(target)  # atomic: a concurrent start never sees half a file


def _fuse(graph: Path, config: dict[str, Any]) -> None:
    """Fuse a BERT graph's attention, layer norms and GELUs in place (onnxruntime's transformer optimizer).

    Measured on the 909 real chunks, 2 threads: 16.1 s -> 14.4 s for the forward passes; vectors agree
    to cosine 0.999999. Other architectures, or any failure, keep the plain graph (same vectors).
    """
    if config.get("model_type") != "bert":
        return
    try:
        from onnxruntime.transformers.optimizer import optimize_model

        fused = optimize_model(
            str(graph),
            model_type="bert",
            num_heads=int(config["num_attention_heads"]),
            hidden_size=int(config["hidden_size"]),
            opt_level=0,  # fusions only: onnxruntime still applies its own optimisations when it loads
        )
        fused.save_model_to_file(str(graph))
    except Exception as exc:  # the plain graph is correct, only slower
        log.warning("ONNX graph fusion skipped (%s: %s)", type(exc).__name__, exc)


class OnnxEncoder:
    """Tokenizer + onnxruntime session over an exported graph; thread-safe."""

    def __init__(self, onnx_file: Path, model_path: Path, max_length: int, threads: int | None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        # tokenizer.json pads every text to 128; sentence-transformers truncates at max_seq_length
        # and pads only to the longest text of the batch. Do the same, so vectors match.
        tokenizer.enable_truncation(max_length)
        pad = tokenizer.padding or {}
        tokenizer.enable_padding(pad_id=pad.get("pad_id", 0), pad_token=pad.get("pad_token", "[PAD]"))
        self._tokenizer = tokenizer
        self._ort = ort
        self._file = onnx_file
        self._lock = threading.Lock()
        self.threads: int | None = None
        self._session = self._open(threads)

    def _open(self, threads: int | None) -> Any:
        options = self._ort.SessionOptions()
        options.inter_op_num_threads = 1
        if threads:
            options.intra_op_num_threads = threads
        self.threads = threads
        return self._ort.InferenceSession(
            str(self._file), sess_options=options, providers=["CPUExecutionProvider"]
        )

    def set_threads(self, threads: int) -> None:
        """Reopen the session with this many threads (a server answers short queries best on one)."""
        if threads != self.threads:
            with self._lock:
                self._session = self._open(threads)

    def encode(self, texts: list[str]) -> Any:
        """Unit vectors (numpy float32, one row per text)."""
        import numpy as np

        encodings = self._tokenizer.encode_batch(texts)
        feeds = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        return self._session.run(None, feeds)[0]


def load_encoder(model_path: Path, cache_dir: Path, threads: int | None = None) -> OnnxEncoder:
    """The ONNX encoder for a model folder, exporting it first if this model was never exported."""
    max_length = check_exportable(model_path)
    onnx_dir = cache_dir / "onnx"
    target = onnx_dir / export_key(model_path, onnx_dir) / "model.onnx"
    if not target.exists():
        log.warning("exporting the embedding model to ONNX (once, about 10 s) -> %s", target)
        export_onnx(model_path, target)
    return OnnxEncoder(target, model_path, max_length, threads)
