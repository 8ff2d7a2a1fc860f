"""An independent client of Cairn's BuildService: Python gRPC stubs generated from the .proto files.

Uploads a busybox tree through the castore services, runs DoBuild (tvix and snix packages),
reads the output back, and checks validation, authentication and failure statuses.
Usage: build_client.py TARGET GEN_DIR TOKEN
"""
import sys

target, gen, token = sys.argv[1:4]
AUTH = [("authorization", "Bearer " + token)]
sys.path.insert(0, gen)
import grpc  # noqa: E402
from tvix.castore.v1 import castore_pb2, rpc_blobstore_pb2, rpc_blobstore_pb2_grpc  # noqa: E402
from tvix.castore.v1 import rpc_directory_pb2, rpc_directory_pb2_grpc  # noqa: E402
from tvix.build.v1 import build_pb2, rpc_build_pb2_grpc  # noqa: E402
from snix.build.v1 import build_pb2 as snix_build_pb2, rpc_build_pb2_grpc as snix_build_grpc  # noqa: E402
from tvix.store.v1 import rpc_pathinfo_pb2, rpc_pathinfo_pb2_grpc  # noqa: E402
from castore_common import Checks, nix32_decode, status_of  # noqa: E402

channel = grpc.insecure_channel(target, options=[("grpc.max_receive_message_length", 64 << 20)])
blobs = rpc_blobstore_pb2_grpc.BlobServiceStub(channel)
dirs = rpc_directory_pb2_grpc.DirectoryServiceStub(channel)
builds = rpc_build_pb2_grpc.BuildServiceStub(channel)
snix_builds = snix_build_grpc.BuildServiceStub(channel)
paths = rpc_pathinfo_pb2_grpc.PathInfoServiceStub(channel)
check = Checks()

INPUT = "0c6kzph7l0dcbfmjap64f0czdafn3b7x-busybox"
OUT = "nix/store/1b9p7sm3i5qbkv8m5d6pfl2w0jl3x4yr-out"
BB = "/nix/store/" + INPUT + "/bin/busybox"


def put_blob(data):
    return blobs.Put(iter([rpc_blobstore_pb2.BlobChunk(data=data[i:i + (1 << 20)]) for i in range(0, len(data), 1 << 20)]),
                     metadata=AUTH).digest


with open("/bin/busybox", "rb") as f:
    busybox = f.read()
bb_digest = put_blob(busybox)
bin_dir = castore_pb2.Directory(files=[castore_pb2.FileNode(name=b"busybox", digest=bb_digest, size=len(busybox), executable=True)])
bin_digest = dirs.Put(iter([bin_dir]), metadata=AUTH).root_digest
root_dir = castore_pb2.Directory(directories=[castore_pb2.DirectoryNode(name=b"bin", digest=bin_digest, size=2)])
root_digest = dirs.Put(iter([bin_dir, root_dir]), metadata=AUTH).root_digest
INPUT_NODE = castore_pb2.Node(directory=castore_pb2.DirectoryNode(name=INPUT.encode(), digest=root_digest, size=4))


def request(script, outputs=(OUT,), env=(("bb", BB), ("out", "/" + OUT)), needles=()):
    return build_pb2.BuildRequest(
        inputs=[INPUT_NODE], command_args=[BB, "sh", "-c", script], working_dir="build",
        scratch_paths=["build", "nix/store"], inputs_dir="nix/store", outputs=list(outputs),
        environment_vars=[build_pb2.BuildRequest.EnvVar(key=k, value=v.encode()) for k, v in env],
        refscan_needles=list(needles))


@check("DoBuild: busybox writes a file; the output node's blob reads back; needles per output")
def _():
    req = request("$bb mkdir -p $out; echo hello-from-the-sandbox > $out/greeting",
                  needles=["hello-from-the-sandbox", "not-there"])
    build = builds.DoBuild(req, metadata=AUTH, timeout=120)
    assert build.build_request == req
    assert len(build.outputs) == 1 and build.outputs[0].WhichOneof("node") == "directory", build.outputs
    out_dir = list(dirs.Get(rpc_directory_pb2.GetDirectoryRequest(digest=build.outputs[0].directory.digest)))[0]
    assert [f.name for f in out_dir.files] == [b"greeting"], out_dir
    data = b"".join(c.data for c in blobs.Read(rpc_blobstore_pb2.ReadBlobRequest(digest=out_dir.files[0].digest)))
    assert data == b"hello-from-the-sandbox\n", data
    assert [list(n.needles) for n in build.outputs_needles] == [[0]], build.outputs_needles


@check("DoBuild under snix.build.v1: the same request, snix's BuildResponse (outputs with their needles)")
def _():
    req = snix_build_pb2.BuildRequest.FromString(
        request("$bb mkdir -p $out; echo snix > $out/f", needles=["absent", "snix"]).SerializeToString())
    response = snix_builds.DoBuild(req, metadata=AUTH, timeout=120)
    assert len(response.outputs) == 1, response
    assert response.outputs[0].output.WhichOneof("entry") == "directory", response
    assert list(response.outputs[0].needles) == [1], response


@check("validation: an output outside every scratch path is INVALID_ARGUMENT naming outputs[0]")
def _():
    code, details = status_of(lambda: builds.DoBuild(request("true", outputs=["elsewhere/out"]), metadata=AUTH))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "outputs[0]" in details, (code, details)


@check("validation: unsorted environment keys and an unclean working_dir are INVALID_ARGUMENT")
def _():
    code, details = status_of(lambda: builds.DoBuild(request("true", env=(("z", "1"), ("a", "2"))), metadata=AUTH))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "environment_vars" in details, (code, details)
    req = request("true")
    req.working_dir = "build/../etc"
    code, details = status_of(lambda: builds.DoBuild(req, metadata=AUTH))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "working_dir" in details, (code, details)


@check("metadata cairn-register: true stores the output as a PathInfo, references from the needles found")
def _():
    reg = "nix/store/2c9p7sm3i5qbkv8m5d6pfl2w0jl3x4yr-registered"
    req = request("$bb mkdir -p $out; $bb ln -s " + BB + " $out/bb", outputs=[reg], env=(("bb", BB), ("out", "/" + reg)),
                  needles=[INPUT[:32], reg.split("/")[2][:32]])
    build = builds.DoBuild(req, metadata=AUTH + [("cairn-register", "true")], timeout=120)
    assert [list(n.needles) for n in build.outputs_needles] == [[0]], build.outputs_needles
    info = paths.Get(rpc_pathinfo_pb2.GetPathInfoRequest(by_output_hash=nix32_decode(reg.split("/")[2][:32], 20)))
    assert info.node.directory.name == reg.split("/")[2].encode(), info
    assert info.node.directory.digest == build.outputs[0].directory.digest, info
    assert list(info.narinfo.reference_names) == [INPUT], info.narinfo


@check("no token: UNAUTHENTICATED, nothing runs")
def _():
    code, _ = status_of(lambda: builds.DoBuild(request("$bb mkdir -p $out")))
    assert code == grpc.StatusCode.UNAUTHENTICATED, code


@check("a failing build: ABORTED with the exit code and the log tail")
def _():
    code, details = status_of(lambda: builds.DoBuild(request("echo going-down; exit 3"), metadata=AUTH, timeout=120))
    assert code == grpc.StatusCode.ABORTED and "exit code 3" in details and "going-down" in details, (code, details)


check.exit()
