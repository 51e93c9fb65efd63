"""hf stage: tct models as `transformers` Llama models, and generation with an exact logits processor.

Needs the optional extra `tct[hf]` (transformers) only for `LogitsProcessor`; exporting needs
nothing beyond tct's own dependencies.
"""

__all__ = ["export_hf", "load_tokenizer", "LogitsProcessor"]


def __getattr__(name):
    # Lazy: `import tct.hf` must not import transformers (an optional extra) or torch.
    if name in ("export_hf", "load_tokenizer"):
        from tct.hf import export
        return getattr(export, name)
    if name == "LogitsProcessor":
        from tct.hf.processor import LogitsProcessor
        return LogitsProcessor
    raise AttributeError(name)
