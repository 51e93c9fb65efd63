"""`tct` command line: a thin layer over the library; user mistakes print one clear line."""

from __future__ import annotations

import argparse
from collections import Counter
import json
import sys

from tct.errors import TCTError

DEFAULT_SCHEMA = "github-workflow"


def _tokenizer(args):
    from tct.vocab.tokenizer import Tokenizer
    if getattr(args, "tokenizer", None):
        return Tokenizer.load(args.tokenizer)
    return Tokenizer.from_schema(args.schema, strict=not getattr(args, "no_strict", False))


def _read_ids(source: str) -> list[int]:
    text = sys.stdin.read() if source == "-" else open(source, encoding="utf-8").read()
    try:
        ids = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TCTError(f"{source}: expected a JSON list of token ids ({exc.msg})") from None
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise TCTError(f"{source}: expected a JSON list of integer token ids")
    return ids


def _encode_file(tok, file: str) -> list[int]:
    """Token ids of a document file; a schema violation names the file like a YAML error does."""
    from tct.data.documents import load_document
    from tct.errors import SchemaViolation
    doc = load_document(file)
    try:
        return tok.encode(doc)
    except SchemaViolation as exc:
        raise TCTError(f"{file} at {exc.path or '/'}: {exc.reason}") from None


def cmd_encode(args) -> int:
    tok = _tokenizer(args)
    print(json.dumps(_encode_file(tok, args.file)))
    return 0


def cmd_decode(args) -> int:
    from tct.data.documents import dumps_document
    tok = _tokenizer(args)
    sys.stdout.write(dumps_document(tok.decode(_read_ids(args.file)), args.format))
    return 0


def cmd_inspect(args) -> int:
    tok = _tokenizer(args)
    ids = _read_ids(args.file) if args.ids else _encode_file(tok, args.file)
    for row in tok.trace(ids):
        pos = row["position"]
        tid = "" if pos is None else str(ids[pos])
        print(f"{'-' if pos is None else pos:>6} {tid:>5}  {row['path']:<40} {row['decision']:<20} {row['choice']}")
    print(f"# {len(ids)} tokens (BOS/EOS included); rows marked '-' were forced and cost no token",
          file=sys.stderr)
    return 0


def cmd_schema(args) -> int:
    tok = _tokenizer(args)
    c = tok.compiler
    print(f"schema        {c.name} ({c.index.draft}, sha256 {c.sha256[:12]})")
    conjs = c.explored()
    print(f"constraints   {len(conjs)} reachable value states, "
          f"{sum(len(c.branches(k)) for k in conjs)} typed branches, {len(c._dfa)} string automata")
    kinds = Counter(n.split(":", 1)[0] for n in tok.meanings.names)
    print(f"vocab         {tok.vocab_size} ids: 256 bytes, END CLOSE ITEM FREEKEY OWED, "
          f"{kinds['key']} keys, {kinds['value']} values, {kinds['branch']} branch kinds"
          + (f", {kinds['copy']} copies" if kinds['copy'] else "")
          + f", BOS={tok.bos_id} EOS={tok.eos_id} PAD={tok.pad_id}, {tok.n_pos} position ids from {tok.pos_base}")
    print(f"meanings      sha256 {tok.meanings.sha256[:12]}")
    print(f"shortest doc  {int(tok.decoder().remaining_cost())} tokens")
    if tok.unenforced:
        print("unenforced    (compiled with --no-strict; these keywords are ignored)")
        for pointer, keyword in tok.unenforced:
            print(f"  {pointer}  {keyword}")
    else:
        print("unenforced    none: every keyword is enforced exactly")
    return 0


def cmd_corpus_check(args) -> int:
    from tct.data.corpus import check_corpus
    tok = _tokenizer(args)
    report = check_corpus(args.dir, validate=tok.encode)
    for r in report.rejects:
        print(f"{r.kind:<8} {r.file}  {r.path or '/'}  {r.reason}")
    print(report.summary())
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tct", description="Type-constrained tokenization of JSON/YAML documents.")
    sub = p.add_subparsers(dest="command", required=True)

    def with_schema(sp):
        sp.add_argument("--schema", default=DEFAULT_SCHEMA, help="built-in name or path (default: %(default)s)")
        sp.add_argument("--no-strict", action="store_true", help="compile even if some keywords cannot be enforced")
        sp.add_argument("--tokenizer", help="trained tokenizer directory or shipped name (instead of --schema)")
        return sp

    sp = with_schema(sub.add_parser("encode", help="print a document's token ids as JSON"))
    sp.add_argument("file")
    sp.set_defaults(func=cmd_encode)
    sp = with_schema(sub.add_parser("decode", help="turn token ids (JSON list, file or -) back into a document"))
    sp.add_argument("file", nargs="?", default="-")
    sp.add_argument("--format", choices=["json", "yaml"], default="json")
    sp.set_defaults(func=cmd_decode)
    sp = with_schema(sub.add_parser("inspect", help="one line per decision: position, id, JSON path, choice"))
    sp.add_argument("file")
    sp.add_argument("--ids", action="store_true", help="FILE holds token ids instead of a document")
    sp.set_defaults(func=cmd_inspect)
    sp = sub.add_parser("schema", help="compile a schema and describe it")
    sp.add_argument("schema", nargs="?", default=DEFAULT_SCHEMA)
    sp.add_argument("--no-strict", action="store_true")
    sp.set_defaults(func=cmd_schema)
    corpus = sub.add_parser("corpus", help="corpus tools").add_subparsers(dest="corpus_command", required=True)
    sp = with_schema(corpus.add_parser("check", help="validate every YAML/JSON file under DIR"))
    sp.add_argument("dir")
    sp.set_defaults(func=cmd_corpus_check)
    tokenizer = sub.add_parser("tokenizer", help="trained tokenizers").add_subparsers(dest="tokenizer_command",
                                                                                      required=True)
    sp = tokenizer.add_parser("train", help="learn merges over the base ids of a corpus's train split")
    sp.add_argument("corpus")
    sp.add_argument("--schema", default=DEFAULT_SCHEMA)
    sp.add_argument("--no-strict", action="store_true")
    sp.add_argument("--vocab", type=int, default=8192, help="ids in all, base ids included (default: %(default)s)")
    sp.add_argument("--max-len", type=int, default=64, help="most base ids one merged id stands for")
    sp.add_argument("--limit", type=int, default=None, help="use only the first N train files")
    sp.add_argument("--val-fraction", type=float, default=0.1, help="used when there is no MANIFEST.jsonl")
    sp.add_argument("--out", required=True)
    sp.set_defaults(func=cmd_tokenizer_train)
    _add_model_commands(sub)
    return p


def cmd_tokenizer_train(args) -> int:
    from tct.data.merges import train_tokenizer
    tok, used, rejected = train_tokenizer(args.corpus, _tokenizer(args), args.vocab, max_len=args.max_len,
                                          val_fraction=args.val_fraction, limit=args.limit)
    tok.save(args.out)
    print(f"{used} documents ({rejected} rejected): {tok.base_size} base ids + {len(tok.merges or ())} merges "
          f"= {tok.vocab_size} ids -> {args.out}")
    return 0


def cmd_data_prepare(args) -> int:
    from tct.data.prepare import prepare
    tok = _tokenizer(args)
    report = prepare(args.corpus, args.out, tok, val_fraction=args.val_fraction, masks=args.masks)
    for r in report.rejects:
        print(f"{r.kind:<8} {r.file}  {r.path or '/'}  {r.reason}", file=sys.stderr)
    print(f"{report.summary()} -> {args.out}")
    return 0


def cmd_train(args) -> int:
    from tct.train.loop import run_from_args
    summary = run_from_args(args)
    print(json.dumps(summary))
    return 0


def cmd_generate(args) -> int:
    import os
    from pathlib import Path

    import tct
    from tct.data.documents import dumps_document
    model = tct.load_model(args.model, schema=args.schema)
    prefix = None
    if args.prefix:
        prefix = sys.stdin.read() if args.prefix == "-" else Path(args.prefix).read_text(encoding="utf-8")
    docs = tct.generate(model, n=args.n, temperature=args.temperature, top_p=args.top_p, top_k=args.top_k,
                        seed=args.seed, prefix=prefix, max_tokens=args.max_tokens,
                        progress=sys.stderr.isatty(), profile=args.profile)
    ext = "yml" if args.format == "yaml" else "json"
    for i, doc in enumerate(docs):
        text = dumps_document(doc, args.format)
        if args.out:
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)
            path = out / f"generated-{i + 1:03d}.{ext}"
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)  # never a half-written output file
            print(path)
        else:
            if i:
                print("---" if args.format == "yaml" else "")
            sys.stdout.write(text)
    return 0


def cmd_eval(args) -> int:
    from tct.eval.report import evaluate_model, format_table
    result = evaluate_model(args.model, args.data, schema=args.schema, n=args.n, temperature=args.temperature,
                            seed=args.seed, max_tokens=args.max_tokens, val_docs=args.val_docs)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(format_table(result))
    return 0


def cmd_export_hf(args) -> int:
    import tct
    from tct.hf.export import export_hf
    model = tct.load_model(args.model, schema=args.schema)
    print(export_hf(model, args.out, max_tokens=args.max_tokens))
    return 0


def _add_model_commands(sub) -> None:
    data = sub.add_parser("data", help="training data").add_subparsers(dest="data_command", required=True)
    sp = data.add_parser("prepare", help="corpus directory -> token shards (numpy memmap) + rejects report")
    sp.add_argument("corpus")
    sp.add_argument("out")
    sp.add_argument("--schema", default=DEFAULT_SCHEMA)
    sp.add_argument("--val-fraction", type=float, default=0.1, help="used when there is no MANIFEST.jsonl")
    sp.add_argument("--tokenizer", help="trained tokenizer directory or shipped name (instead of --schema)")
    sp.add_argument("--masks", action=argparse.BooleanOptionalAction, default=True,
                    help="store every position's legal-id mask (for masked likelihood; default on)")
    sp.set_defaults(func=cmd_data_prepare, no_strict=False)

    from tct.train.loop import build_arg_parser
    sp = sub.add_parser("train", help="train a GPT on prepared shards (works under torchrun)")
    build_arg_parser(sp)
    sp.set_defaults(func=cmd_train)

    sp = sub.add_parser("generate", help="sample schema-valid documents")
    sp.add_argument("-n", type=int, default=1)
    sp.add_argument("--model", default="default", help="default, random, or a checkpoint directory")
    sp.add_argument("--schema", default=DEFAULT_SCHEMA)
    sp.add_argument("--seed", type=int, default=None)
    sp.add_argument("--temperature", type=float, default=0.8)
    sp.add_argument("--top-p", type=float, default=0.95)
    sp.add_argument("--top-k", type=int, default=0)
    sp.add_argument("--max-tokens", type=int, default=4096)
    sp.add_argument("--prefix", help="file (or -) with a partial YAML/JSON document to continue")
    sp.add_argument("--format", choices=["yaml", "json"], default="yaml")
    sp.add_argument("--out", help="write one file per document into this directory")
    sp.add_argument("--profile", default="default",
                    help="constraints beyond the schema: default (workflows: github-workflow-strict), "
                         "none (the schema alone), or a profile name")
    sp.set_defaults(func=cmd_generate)

    sp = sub.add_parser("eval", help="val loss / bits per byte and statistics of generated documents")
    sp.add_argument("--model", default="default")
    sp.add_argument("--data", required=True, help="prepared data directory (tct data prepare)")
    sp.add_argument("--schema", default=DEFAULT_SCHEMA)
    sp.add_argument("-n", type=int, default=20, help="documents to generate")
    sp.add_argument("--temperature", type=float, default=0.8)
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--max-tokens", type=int, default=4096)
    sp.add_argument("--val-docs", type=int, default=None, help="score only this many val docs (no bits per byte)")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_eval)

    export = sub.add_parser("export", help="convert a model for other libraries").add_subparsers(
        dest="export_command", required=True)
    sp = export.add_parser("hf", help="write a transformers (Llama) directory: AutoModelForCausalLM.from_pretrained(OUT)")
    sp.add_argument("model", help="default, random, or a checkpoint directory")
    sp.add_argument("out")
    sp.add_argument("--schema", default=DEFAULT_SCHEMA)
    sp.add_argument("--max-tokens", type=int, default=2048, help="generation_config max_length (default: %(default)s)")
    sp.set_defaults(func=cmd_export_hf)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except TCTError as exc:
        print(f"tct: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("tct: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
