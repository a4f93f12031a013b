package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;
import org.syncmesh.NodeIdentity;

/**
 * Batch signatures (docs/extension-v1.md §8.1): every write of every batch size checks alone, and
 * no change to a write, its batch size, its index or its path does.
 */
final class BatchSignaturesTest {

  private static final String PROTOCOL = "test-protocol";
  private final NodeIdentity key = NodeIdentity.generate();

  private static List<byte[]> messages(int n) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(("write " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return out;
  }

  private boolean checks(byte[] message, Bytes blob) {
    BatchSignatures.Opened o = BatchSignatures.open(message, blob.toByteArray());
    return o != null && NodeIdentity.verify(key.publicKey(), BatchSignatures.signedMessage(PROTOCOL, o.n(), o.root()),
        o.signature());
  }

  @Test
  void everyWriteOfEveryBatchSizeUpTo70_checksAlone_withAPathOfItsDepth() {
    for (int n = 1; n <= 70; n++) {
      List<byte[]> messages = messages(n);
      List<Bytes> blobs = BatchSignatures.sign(key, PROTOCOL, messages);
      assertThat(blobs).hasSize(n);
      for (int i = 0; i < n; i++) {
        assertThat(checks(messages.get(i), blobs.get(i))).as("write %d of %d", i, n).isTrue();
        assertThat(blobs.get(i).size()).isEqualTo(BatchSignatures.HEADER_BYTES
            + BatchSignatures.HASH_BYTES * BatchSignatures.depth(n, i));
        assertThat(blobs.get(i).size()).isLessThanOrEqualTo(n <= BatchSignatures.MAX_BATCH
            ? BatchSignatures.MAX_BLOB_BYTES : Integer.MAX_VALUE);
      }
    }
  }

  @Test
  void anotherWritesBlob_aChangedMessage_index_size_path_orSignature_doNotCheck() {
    List<byte[]> messages = messages(5);
    List<Bytes> blobs = BatchSignatures.sign(key, PROTOCOL, messages);
    byte[] blob = blobs.get(2).toByteArray();
    assertThat(checks(messages.get(3), blobs.get(2))).as("write 3 under write 2's blob").isFalse();
    byte[] changed = messages.get(2).clone();
    changed[0] ^= 1;
    assertThat(checks(changed, blobs.get(2))).as("a changed write").isFalse();
    for (int at : new int[] {0, 63, 65, 67, 68, blob.length - 1}) { // signature, size, index, path
      byte[] b = blob.clone();
      b[at] ^= 1;
      assertThat(checks(messages.get(2), Bytes.wrapOwned(b))).as("byte %d flipped", at).isFalse();
    }
    assertThat(BatchSignatures.open(messages.get(2), Arrays.copyOf(blob, blob.length - 1))).as("a cut path").isNull();
    assertThat(BatchSignatures.open(messages.get(2), Arrays.copyOf(blob, blob.length + 32))).as("a longer path").isNull();
    assertThat(BatchSignatures.open(messages.get(2), new byte[67])).as("too short").isNull();
    byte[] outOfBatch = blob.clone();
    ByteBuffer.wrap(outOfBatch).putShort(66, (short) 5);
    assertThat(BatchSignatures.open(messages.get(2), outOfBatch)).as("index 5 of 5").isNull();
    assertThat(checks(messages.get(2), Bytes.wrapOwned(new byte[0]))).as("a pending signature").isFalse();
  }

  @Test
  void aCachedRoot_isUsedOnlyForTheSameKeyRootAndSize() {
    List<byte[]> messages = messages(4);
    List<Bytes> blobs = BatchSignatures.sign(key, PROTOCOL, messages);
    VerifiedRoots roots = new VerifiedRoots(PROTOCOL);
    NodeIdentity.PublicKey pk = NodeIdentity.PublicKey.of(key.publicKey());
    Bytes pkBytes = Bytes.wrapOwned(key.publicKey());
    for (int i = 0; i < 4; i++) {
      assertThat(roots.verified(pk, pkBytes, BatchSignatures.open(messages.get(i), blobs.get(i).toByteArray()))).isTrue();
    }
    // the same signature claimed over another root (another write, a forged path): checked, refused
    BatchSignatures.Opened genuine = BatchSignatures.open(messages.get(0), blobs.get(0).toByteArray());
    byte[] otherRoot = genuine.root().clone();
    otherRoot[0] ^= 1;
    assertThat(roots.verified(pk, pkBytes, new BatchSignatures.Opened(genuine.n(), otherRoot, genuine.signature()))).isFalse();
    assertThat(roots.verified(pk, pkBytes, new BatchSignatures.Opened(genuine.n() + 1, genuine.root(),
        genuine.signature()))).isFalse();
    NodeIdentity other = NodeIdentity.generate();
    assertThat(roots.verified(NodeIdentity.PublicKey.of(other.publicKey()), Bytes.wrapOwned(other.publicKey()),
        genuine)).isFalse();
    assertThat(new VerifiedRoots("another-protocol").verified(pk, pkBytes, genuine)).isFalse();
  }
}
