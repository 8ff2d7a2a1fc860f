#!/usr/bin/env python3
"""gRPC BlobService Put and Read throughput from an independent client (python3-grpcio).
usage: grpc_read.py HOST:PORT GENERATED_DIR SIZE_MIB TOKEN (a writer's Cairn token for the Put; "-": none)
Prints `put: … MB/s` and one `read run N: … MB/s` line per run."""
import os
import sys
import time

target, gen, mib, token = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, gen)
import grpc  # noqa: E402
from tvix.castore.v1 import rpc_blobstore_pb2, rpc_blobstore_pb2_grpc  # noqa: E402

stub = rpc_blobstore_pb2_grpc.BlobServiceStub(grpc.insecure_channel(target, options=[("grpc.max_receive_message_length", 64 << 20)]))
piece = os.urandom(1 << 20)
metadata = [] if token == "-" else [("authorization", "Bearer " + token)]


def chunks():
    for i in range(mib):
        yield rpc_blobstore_pb2.BlobChunk(data=piece[i % 7:] + piece[:i % 7])


t = time.time()
digest = stub.Put(chunks(), metadata=metadata).digest
put_s = time.time() - t
print(f"put: {mib << 20} bytes in {put_s:.2f} s = {(mib << 20) / put_s / 1e6:.0f} MB/s", flush=True)
for run in range(3):
    t = time.time()
    n = sum(len(c.data) for c in stub.Read(rpc_blobstore_pb2.ReadBlobRequest(digest=digest)))
    s = time.time() - t
    if n != mib << 20:
        sys.exit(f"read {n} bytes, expected {mib << 20}")
    print(f"read run {run + 1}: {n} bytes in {s:.2f} s = {n / s / 1e6:.0f} MB/s", flush=True)
