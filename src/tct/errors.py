"""Error types: every user-facing failure is a TCTError with a readable message."""


class TCTError(Exception):
    """Base of all errors tct raises on purpose."""


class SchemaViolation(TCTError):
    """A document does not satisfy the schema; `.path` is a JSON pointer into it."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path or '/'}: {reason}")


class DecodeError(TCTError):
    """A token stream is not a legal path through the schema automaton."""

    def __init__(self, position: int, state: str, allowed: list[int], reason: str = ""):
        self.position = position
        self.state = state
        self.allowed = allowed
        shown = allowed[:20] + (["..."] if len(allowed) > 20 else [])
        super().__init__(
            f"token {position}: {reason or 'illegal token'} in state {state}; allowed ids {shown}"
        )


class SchemaError(TCTError):
    """The schema cannot be loaded or compiled; `.pointer` names where."""

    def __init__(self, pointer: str, reason: str, keyword: str | None = None):
        self.pointer = pointer
        self.keyword = keyword
        self.reason = reason
        super().__init__(f"schema {pointer or '#'}: {reason}")


class DocumentError(TCTError):
    """An input file cannot be read as a JSON value (YAML syntax, duplicate key, non-JSON value)."""

    def __init__(self, file: str, path: str, reason: str):
        self.file = file
        self.path = path
        self.reason = reason
        where = f"{file}" + (f" at {path}" if path else "")
        super().__init__(f"{where}: {reason}")
