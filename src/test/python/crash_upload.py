#!/usr/bin/env python3
"""Streams a large deterministic blob to Cairn's BlobService, for the crash test.

usage: crash_upload.py put|stat|digest|slowread HOST:PORT GENERATED_DIR SEED SIZE [TOKEN]
  put       upload; prints 'progress N' lines, then 'digest HEX'
  stat      prints 'present' or 'absent'
  digest    prints the BLAKE3 of the data, computed by b3sum reading it from a pipe
  slowread  reads the blob back slowly; prints 'reading' once started, then 'read N OK|MISMATCH'
TOKEN is a writer's Cairn token, needed by put (sent as metadata "authorization: Bearer TOKEN")."""
import hashlib
import time
import random
import subprocess
import sys

cmd, target, gen, seed, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
auth = [("authorization", "Bearer " + sys.argv[6])] if len(sys.argv) > 6 else None
sys.path.insert(0, gen)
import grpc  # noqa: E402
from tvix.castore.v1 import rpc_blobstore_pb2, rpc_blobstore_pb2_grpc  # noqa: E402

PIECE = 1 << 20


def pieces():
    rnd = random.Random(seed)
    left = size
    while left > 0:
        n = min(PIECE, left)
        yield rnd.randbytes(n)
        left -= n


def b3():
    p = subprocess.Popen(["b3sum", "--no-names", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    for piece in pieces():
        p.stdin.write(piece)
    p.stdin.close()
    return p.stdout.read().decode().strip()


stub = rpc_blobstore_pb2_grpc.BlobServiceStub(grpc.insecure_channel(target))
if cmd == "digest":
    print("digest", b3(), flush=True)
elif cmd == "put":
    def chunks():
        sent = 0
        for piece in pieces():
            sent += len(piece)
            if sent % (64 << 20) == 0:
                print("progress", sent, flush=True)
            yield rpc_blobstore_pb2.BlobChunk(data=piece)
    print("digest", stub.Put(chunks(), metadata=auth).digest.hex(), flush=True)
elif cmd == "slowread":
    expected = hashlib.sha256()
    for piece in pieces():
        expected.update(piece)
    got = hashlib.sha256()
    n = 0
    for i, c in enumerate(stub.Read(rpc_blobstore_pb2.ReadBlobRequest(digest=bytes.fromhex(b3())))):
        if i == 0:
            print("reading", flush=True)
        got.update(c.data)
        n += len(c.data)
        time.sleep(0.003)
    print("read", n, "OK" if got.digest() == expected.digest() else "MISMATCH", flush=True)
elif cmd == "stat":
    try:
        stub.Stat(rpc_blobstore_pb2.StatBlobRequest(digest=bytes.fromhex(b3())))
        print("present", flush=True)
    except grpc.RpcError as e:
        print("absent" if e.code() == grpc.StatusCode.NOT_FOUND else "error " + str(e.code()), flush=True)
