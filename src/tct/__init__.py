"""tct: type-constrained tokenization of JSON documents described by a JSON Schema."""

from tct.errors import DecodeError, DocumentError, SchemaError, SchemaViolation, TCTError

__all__ = [
    "TCTError", "SchemaViolation", "DecodeError", "SchemaError", "DocumentError",
    "Tokenizer", "load_document", "load_model", "generate", "export_hf",
]


def __getattr__(name):
    # Lazy so that `import tct` stays cheap (torch is only imported by the model side).
    if name == "Tokenizer":
        from tct.vocab.tokenizer import Tokenizer
        return Tokenizer
    if name == "load_document":
        from tct.data.documents import load_document
        return load_document
    if name == "load_model":
        from tct.model.registry import load_model
        return load_model
    if name == "generate":
        from tct.generation.sampler import generate
        return generate
    if name == "export_hf":
        from tct.hf.export import export_hf
        return export_hf
    if name == "hf":  # tct.hf.LogitsProcessor without a separate import
        import tct.hf
        return tct.hf
    raise AttributeError(name)
