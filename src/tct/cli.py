"""`tct` command line: a thin layer over the library; user mistakes print one clear line."""

from __future__ import annotations

import argparse
import json
import sys

from tct.errors import TCTError

DEFAULT_SCHEMA = "github-workflow"


def _tokenizer(args):
    from tct.vocab.tokenizer import Tokenizer
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


def cmd_encode(args) -> int:
    from tct.data.documents import load_document
    tok = _tokenizer(args)
    print(json.dumps(tok.encode(load_document(args.file))))
    return 0


def cmd_decode(args) -> int:
    from tct.data.documents import dumps_document
    tok = _tokenizer(args)
    sys.stdout.write(dumps_document(tok.decode(_read_ids(args.file)), args.format))
    return 0


def cmd_inspect(args) -> int:
    from tct.data.documents import load_document
    tok = _tokenizer(args)
    ids = _read_ids(args.file) if args.ids else tok.encode(load_document(args.file))
    pos_of = {}
    for row in tok.trace(ids):
        pos = row["position"]
        tid = "" if pos is None else str(ids[pos])
        print(f"{'-' if pos is None else pos:>6} {tid:>5}  {row['path']:<40} {row['decision']:<20} {row['choice']}")
        pos_of[pos] = True
    print(f"# {len(ids)} tokens (BOS/EOS included); rows marked '-' were forced and cost no token",
          file=sys.stderr)
    return 0


def cmd_schema(args) -> int:
    tok = _tokenizer(args)
    c = tok.compiler
    print(f"schema        {c.name} ({c.index.draft}, sha256 {c.sha256[:12]})")
    print(f"constraints   {len(c._branches_raw)} reachable value states, "
          f"{sum(len(b) for b in c._branches_raw.values())} typed branches, {len(c._dfa)} string automata")
    print(f"vocab         {tok.vocab_size} ids: 256 bytes, END CLOSE ITEM FREEKEY, {tok.n_choices} choices, "
          f"BOS={tok.bos_id} EOS={tok.eos_id} PAD={tok.pad_id}, {tok.n_pos} position ids from {tok.pos_base}")
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
    _add_model_commands(sub)
    return p


def _add_model_commands(sub) -> None:
    """Commands of the model side, registered only if their stage is installed."""
    try:
        from tct import commands
    except ImportError:
        return
    commands.register(sub)


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
