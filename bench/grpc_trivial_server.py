#!/usr/bin/env python3
"""The client's own ceiling for bench/grpc-read.sh: a trivial tvix.castore.v1.BlobService in
python3-grpcio that accepts a Put (counting the bytes, storing and hashing nothing) and answers a
Read of any digest with SIZE_MIB MiB, the same bytes grpc_read.py puts, in 256 KiB messages like
Cairn's. Whatever the client reaches against it bounds what it can reach against any server.
usage: grpc_trivial_server.py PORT GENERATED_DIR SIZE_MIB"""
import os
import sys
from concurrent import futures

port, gen, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, gen)
import grpc  # noqa: E402
from tvix.castore.v1 import rpc_blobstore_pb2, rpc_blobstore_pb2_grpc  # noqa: E402

READ_PIECE = 256 << 10
piece = os.urandom(1 << 20)


class Trivial(rpc_blobstore_pb2_grpc.BlobServiceServicer):
    def Put(self, request_iterator, context):
        n = sum(len(c.data) for c in request_iterator)
        return rpc_blobstore_pb2.PutBlobResponse(digest=n.to_bytes(32, "big"))

    def Read(self, request, context):
        for i in range(mib):
            data = piece[i % 7:] + piece[:i % 7]
            for off in range(0, len(data), READ_PIECE):
                yield rpc_blobstore_pb2.BlobChunk(data=data[off:off + READ_PIECE])


server = grpc.server(futures.ThreadPoolExecutor(max_workers=4),
                     options=[("grpc.max_receive_message_length", 64 << 20)])
rpc_blobstore_pb2_grpc.add_BlobServiceServicer_to_server(Trivial(), server)
server.add_insecure_port("127.0.0.1:" + port)
server.start()
print("ready", flush=True)
server.wait_for_termination()
