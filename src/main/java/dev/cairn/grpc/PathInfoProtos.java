package dev.cairn.grpc;

import com.google.protobuf.ByteString;
import dev.cairn.castore.Node;
import dev.cairn.grpc.proto.tvix.store.v1.NARInfo;
import dev.cairn.grpc.proto.tvix.store.v1.StorePath;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.Nixbase32;
import dev.cairn.nix.Signature;
import dev.cairn.store.PathInfo;
import dev.cairn.validation.ValidationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** tvix.store.v1.PathInfo ⇄ {@link PathInfo}, validating every rule of WIRE.md §3 on the way in. */
final class PathInfoProtos {
  private PathInfoProtos() {}

  static PathInfo fromProto(dev.cairn.grpc.proto.tvix.store.v1.PathInfo proto) {
    if (!proto.hasNode()) {
      throw new ValidationException("node", "is required");
    }
    if (!proto.hasNarinfo()) {
      throw new ValidationException("narinfo", "is required");
    }
    Node node = Node.fromProto(proto.getNode());
    dev.cairn.nix.StorePath storePath;
    try {
      storePath = dev.cairn.nix.StorePath.parseBaseName(new String(node.name().bytes(), StandardCharsets.UTF_8));
    } catch (ValidationException e) {
      throw new ValidationException("node.name", "must be a store path basename: " + e.getMessage());
    }
    NARInfo n = proto.getNarinfo();
    if (proto.getReferencesCount() != n.getReferenceNamesCount()) {
      throw new ValidationException("narinfo.reference_names", "has " + n.getReferenceNamesCount() + " entries but references has "
          + proto.getReferencesCount());
    }
    List<dev.cairn.nix.StorePath> refs = new ArrayList<>();
    for (int i = 0; i < proto.getReferencesCount(); i++) {
      byte[] digest = proto.getReferences(i).toByteArray();
      if (digest.length != 20) {
        throw new ValidationException("references[" + i + "]", "must be 20 bytes, got " + digest.length);
      }
      dev.cairn.nix.StorePath ref;
      try {
        ref = dev.cairn.nix.StorePath.parseBaseName(n.getReferenceNames(i));
      } catch (ValidationException e) {
        throw new ValidationException("narinfo.reference_names[" + i + "]", e.getMessage());
      }
      if (!java.util.Arrays.equals(ref.digest(), digest)) {
        throw new ValidationException("narinfo.reference_names[" + i + "]", "its digest differs from references[" + i + "]");
      }
      refs.add(ref);
    }
    if (n.getNarSha256().size() != 32) {
      throw new ValidationException("narinfo.nar_sha256", "must be 32 bytes, got " + n.getNarSha256().size());
    }
    List<Signature> sigs = new ArrayList<>();
    for (int i = 0; i < n.getSignaturesCount(); i++) {
      NARInfo.Signature s = n.getSignatures(i);
      try {
        sigs.add(new Signature(s.getName(), s.getData().toByteArray()));
      } catch (ValidationException e) {
        throw new ValidationException("narinfo.signatures[" + i + "]", e.getMessage());
      }
    }
    Optional<dev.cairn.nix.StorePath> deriver = Optional.empty();
    if (n.hasDeriver()) {
      try {
        deriver = Optional.of(new dev.cairn.nix.StorePath(n.getDeriver().getDigest().toByteArray(), n.getDeriver().getName()));
      } catch (ValidationException e) {
        throw new ValidationException("narinfo.deriver", e.getMessage());
      }
    }
    Optional<String> ca = n.hasCa() ? Optional.of(caString(n.getCa())) : Optional.empty();
    return PathInfo.withUnresolvedReferences(storePath, node, n.getNarSize(), new Hash(HashAlgorithm.SHA256, n.getNarSha256().toByteArray()),
        sigs, deriver, ca, refs);
  }

  private record CaKind(String prefix, HashAlgorithm algorithm) {}

  private static CaKind kind(NARInfo.CA.Hash type) {
    switch (type) {
      case NAR_SHA256: return new CaKind("fixed:r:", HashAlgorithm.SHA256);
      case NAR_SHA1: return new CaKind("fixed:r:", HashAlgorithm.SHA1);
      case NAR_SHA512: return new CaKind("fixed:r:", HashAlgorithm.SHA512);
      case NAR_MD5: return new CaKind("fixed:r:", HashAlgorithm.MD5);
      case TEXT_SHA256: return new CaKind("text:", HashAlgorithm.SHA256);
      case FLAT_SHA1: return new CaKind("fixed:", HashAlgorithm.SHA1);
      case FLAT_MD5: return new CaKind("fixed:", HashAlgorithm.MD5);
      case FLAT_SHA256: return new CaKind("fixed:", HashAlgorithm.SHA256);
      case FLAT_SHA512: return new CaKind("fixed:", HashAlgorithm.SHA512);
      default: throw new ValidationException("narinfo.ca.type", "unknown hash type " + type);
    }
  }

  /** Nix's CA text, e.g. {@code fixed:r:sha256:<nix32>}. */
  static String caString(NARInfo.CA ca) {
    CaKind k = kind(ca.getType());
    byte[] digest = ca.getDigest().toByteArray();
    if (digest.length != k.algorithm().size()) {
      throw new ValidationException("narinfo.ca.digest", "must be " + k.algorithm().size() + " bytes for " + ca.getType() + ", got " + digest.length);
    }
    return k.prefix() + k.algorithm().nixName() + ":" + Nixbase32.encode(digest);
  }

  static NARInfo.CA caProto(String text) {
    for (NARInfo.CA.Hash type : NARInfo.CA.Hash.values()) {
      if (type == NARInfo.CA.Hash.UNRECOGNIZED) {
        continue;
      }
      CaKind k = kind(type);
      String prefix = k.prefix() + k.algorithm().nixName() + ":";
      if (text.startsWith(prefix)) {
        return NARInfo.CA.newBuilder().setType(type)
            .setDigest(ByteString.copyFrom(Hash.parse(k.algorithm(), text.substring(prefix.length())).bytes())).build();
      }
    }
    throw new IllegalStateException("stored CA " + text + " has no wire form");
  }

  static dev.cairn.grpc.proto.tvix.store.v1.PathInfo toProto(PathInfo info) {
    NARInfo.Builder n = NARInfo.newBuilder().setNarSize(info.narSize()).setNarSha256(ByteString.copyFrom(info.narSha256().bytes()));
    for (Signature s : info.signatures()) {
      n.addSignatures(NARInfo.Signature.newBuilder().setName(s.keyName()).setData(ByteString.copyFrom(s.bytes())));
    }
    dev.cairn.grpc.proto.tvix.store.v1.PathInfo.Builder b = dev.cairn.grpc.proto.tvix.store.v1.PathInfo.newBuilder().setNode(info.node().toProto());
    for (dev.cairn.nix.StorePath r : info.references()) {
      b.addReferences(ByteString.copyFrom(r.digest()));
      n.addReferenceNames(r.baseName());
    }
    info.deriver().ifPresent(d -> n.setDeriver(StorePath.newBuilder().setName(d.name()).setDigest(ByteString.copyFrom(d.digest()))));
    info.ca().ifPresent(ca -> n.setCa(caProto(ca)));
    return b.setNarinfo(n).build();
  }
}
