"""Nix formats built independently of Cairn's code, and the check runner, shared by the gRPC test clients."""
import sys
import traceback


ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz"


def nix32_decode(s, size):
    out = bytearray(size)
    for n, ch in enumerate(reversed(s)):
        digit = ALPHABET.index(ch)
        b = n * 5
        i, j = b // 8, b % 8
        out[i] |= (digit << j) & 0xFF
        if i + 1 < size:
            out[i + 1] |= digit >> (8 - j)
    return bytes(out)


def nar_of_file(contents, executable=False):
    def tok(b):
        return len(b).to_bytes(8, "little") + b + b"\0" * ((8 - len(b) % 8) % 8)
    out = b"".join(tok(t) for t in [b"nix-archive-1", b"(", b"type", b"regular"])
    if executable:
        out += tok(b"executable") + tok(b"")
    return out + tok(b"contents") + tok(contents) + tok(b")")


def status_of(call):
    """(code, details) of a gRPC call; (OK, "") when it succeeds."""
    import grpc
    try:
        call()
    except grpc.RpcError as e:
        return e.code(), e.details()
    return grpc.StatusCode.OK, ""


class Checks:
    """Runs each decorated function once as a named check; prints ok/FAIL and a summary."""

    def __init__(self):
        self.passed, self.failed = 0, 0

    def __call__(self, name):
        def wrap(fn):
            try:
                fn()
                self.passed += 1
                print("ok  ", name, flush=True)
            except Exception:
                self.failed += 1
                print("FAIL", name, flush=True)
                traceback.print_exc()
            return fn
        return wrap

    def exit(self):
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        sys.exit(1 if self.failed else 0)
