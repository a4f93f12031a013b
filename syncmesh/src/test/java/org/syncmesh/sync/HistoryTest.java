package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.syncmesh.Hlc;
import org.syncmesh.Version;
import org.syncmesh.testing.Gen;
import org.syncmesh.testing.Seeded;

/**
 * The tenure history of a secure leasing network (docs/extension-v1.md §8.4): records merge as a
 * join, and the visible state is one function of them, so replicas that receive the same writes in
 * any order show the same state; early takeovers, back-dated ones included, never show.
 */
final class HistoryTest {

  private static final long T = 1_700_000_000L;
  private static final String A = "Aowner";
  private static final String B = "Bhonest";
  private static final String C = "Ccheat";
  private static final String D = "Dlater";

  private static int counter;

  /** A store by {@code writer} at {@code second}, in the tenure ({@code epoch}, claimed by it at {@code claimSecond}). */
  private static Store.Entry write(Object value, String writer, long second, int epoch, long claimSecond) {
    Version v = new Version(Hlc.of(second * 1000, ++counter & 0xffff), writer);
    return new Store.Entry(value, v, second, v, null, epoch, Resolution.claim(claimSecond, writer), false);
  }

  private static Store.Entry delete(String writer, long second, int epoch, long claimSecond) {
    return write(null, writer, second, epoch, claimSecond);
  }

  private static List<History.Record> deliver(List<Store.Entry> writes) {
    List<History.Record> h = List.of();
    for (Store.Entry w : writes) {
      h = History.add(h, new History.Record(w, null));
    }
    return h;
  }

  private static Store.Entry visible(List<Store.Entry> writes) {
    return History.walk(deliver(writes)).visible().state();
  }

  // ---------------------------------------------------------------- examples

  /**
   * §8.4's example, where the pairwise rule cycles (epoch 1 beats 2, 2 beats 3, 3 beats 1): the
   * walk gives one answer in every order of arrival. A's lease ends at 3600; C's claim at 1000 is
   * early, refused however long C renews; D's claim at 12000 takes over from A, the holder then.
   */
  @Test
  void theNonTransitiveExample_givesOneAnswer_inEveryOrder() {
    Store.Entry owner = write("a", A, T, 1, T);
    Store.Entry early = write("c", C, T + 1000, 2, T + 1000);
    Store.Entry renewed = write("c2", C, T + 10_000, 2, T + 1000);
    Store.Entry later = write("d", D, T + 12_000, 3, T + 12_000);
    List<Store.Entry> all = List.of(owner, early, renewed, later);
    for (List<Store.Entry> order : permutations(all)) {
      History.Walk walk = History.walk(deliver(order));
      assertThat(walk.visible().state()).as("order %s", order).isEqualTo(later);
      assertThat(walk.refuses(early)).isTrue();
      assertThat(deliver(order)).isEqualTo(deliver(all));
    }
    // without D, the owner's value shows, C's renewed record being evidence only
    assertThat(visible(List.of(renewed, early, owner))).isEqualTo(owner);
    assertThat(visible(List.of(renewed, early))).as("without the owner's record nothing covers C").isEqualTo(renewed);
  }

  @Test
  void aTakeoverAfterTheLease_wins_oneAtItsLastSecond_isRefused() {
    Store.Entry owner = write("a", A, T, 1, T);
    Store.Entry renewal = write("a2", A, T + 100, 1, T);
    Store.Entry legit = write("b", B, T + 3701, 2, T + 3701);
    assertThat(visible(List.of(legit, renewal, owner))).isEqualTo(legit);
    Store.Entry atLastSecond = write("b", B, T + 3700, 2, T + 3700);
    assertThat(visible(List.of(atLastSecond, owner))).as("no renewal known: the lease ends at 3600").isEqualTo(
        atLastSecond);
    assertThat(visible(List.of(atLastSecond, owner, renewal))).as("the renewal covers 3700").isEqualTo(renewal);
    assertThat(History.walk(deliver(List.of(atLastSecond, owner, renewal))).refuses(atLastSecond)).isTrue();
  }

  @Test
  void aBackDatedTakeover_claimedBeforeTheOwnersClaim_isRefused() {
    Store.Entry owner = write("a", A, T, 1, T);
    Store.Entry backDated = write("c", C, T - 500, 2, T - 500);
    assertThat(visible(List.of(backDated, owner))).isEqualTo(owner);
    assertThat(visible(List.of(owner, backDated))).isEqualTo(owner);
  }

  @Test
  void aTombstone_coversTheSecondsBeforeItsDelete_aClaimInTheDeletesSecondIsHonest() {
    Store.Entry owner = write("a", A, T, 1, T);
    Store.Entry deleted = delete(A, T + 50, 1, T);
    Store.Entry sameSecond = write("b", B, T + 50, 2, T + 50);
    Store.Entry before = write("c", C, T + 49, 2, T + 49);
    assertThat(visible(List.of(owner, deleted, sameSecond))).isEqualTo(sameSecond);
    assertThat(visible(List.of(before, deleted, owner))).isEqualTo(deleted);
    assertThat(visible(List.of(before, deleted, sameSecond))).as("one epoch: the candidate claims later")
        .isEqualTo(sameSecond);
  }

  /**
   * Rule 3: an owner whose lease has lapsed claims again in the next epoch; its claim counts from
   * that write. And an owner's own early re-claim steals nothing, so it shows.
   */
  @Test
  void anOwnerWritingAfterItsLease_reclaims_andItsOwnEarlyClaimShows() {
    Store.Entry owner = write("a", A, T, 1, T);
    Version late = new Version(Hlc.of((T + 3601) * 1000, 0), A);
    assertThat(Resolution.tenure(owner, late, T + 3601, true, 0, true))
        .isEqualTo(new Resolution.Tenure(2, Resolution.claim(T + 3601, A)));
    assertThat(Resolution.tenure(owner, late, T + 3601, true, 0, false)).as("open networks: as before")
        .isEqualTo(new Resolution.Tenure(1, owner.claim()));
    Version inLease = new Version(Hlc.of((T + 3600) * 1000, 0), A);
    assertThat(Resolution.tenure(owner, inLease, T + 3600, true, 0, true))
        .isEqualTo(new Resolution.Tenure(1, owner.claim()));

    Store.Entry reclaim = write("a-again", A, T + 3601, 2, T + 3601);
    Store.Entry contest = write("b", B, T + 3700, 2, T + 3700);
    assertThat(visible(List.of(contest, reclaim, owner))).as("the earlier claim of epoch 2").isEqualTo(reclaim);
    Store.Entry earlyOwnClaim = write("a-early", A, T + 10, 2, T + 10);
    assertThat(visible(List.of(owner, earlyOwnClaim))).isEqualTo(earlyOwnClaim);
  }

  @Test
  void theHistory_keepsEachClaimantsBestFourRecords_soNoMemberPushesAnothersOut() {
    Store.Entry owner = write("a", A, T, 1, T);
    List<Store.Entry> writes = new ArrayList<>(List.of(owner));
    for (int e = 2; e <= 21; e++) { // twenty early takeovers by B, each of its own tenure above the owner's
      writes.add(write("grab" + e, B, T + e, e, T + e));
    }
    List<History.Record> h = deliver(writes);
    assertThat(h).hasSize(1 + History.MAX_RECORDS_PER_CLAIMANT);
    assertThat(h.stream().filter(r -> r.state().owner().equals(B)).map(r -> r.state().epoch()))
        .as("B's best four").containsExactly(21, 20, 19, 18);
    assertThat(visible(writes)).as("the owner's lease holds: every grab is refused").isEqualTo(owner);
    assertThat(History.add(h, new History.Record(writes.get(1), null))).as("below B's four: no change").isSameAs(h);
  }

  // ---------------------------------------------------------------- properties

  /** Random writes of random tenures, some early takeovers, some tombstones; more than sixteen tenures at times. */
  private static List<Store.Entry> writes(Gen gen) {
    String[] writers = {A, B, C, D};
    List<Store.Entry> out = new ArrayList<>();
    int tenures = gen.intBetween(1, 24);
    for (int t = 0; t < tenures; t++) {
      String claimant = writers[gen.intBetween(0, 3)];
      int epoch = gen.intBetween(1, 6);
      long claim = T + gen.pick(0L, 10L, 1000L, 3600L, 3601L, 5000L, 7300L, 12_000L);
      int n = gen.intBetween(1, 3);
      for (int w = 0; w < n; w++) {
        long second = claim + gen.pick(0L, 5L, 2000L, 3600L);
        Store.Entry e = gen.oneIn(5) ? delete(claimant, second, epoch, claim)
            : write("v" + gen.intBetween(0, 3), claimant, second, epoch, claim);
        out.add(e);
      }
    }
    return out;
  }

  private static <T> List<T> shuffled(Gen gen, List<T> in) {
    List<T> out = new ArrayList<>(in);
    for (int i = out.size() - 1; i > 0; i--) {
      int j = gen.intBetween(0, i);
      T x = out.get(i);
      out.set(i, out.get(j));
      out.set(j, x);
    }
    return out;
  }

  private static List<History.Record> join(List<History.Record> a, List<History.Record> b) {
    List<History.Record> h = a;
    for (History.Record r : b) {
      h = History.add(h, r);
    }
    return h;
  }

  private record Split(List<Store.Entry> all, List<Store.Entry> a, List<Store.Entry> b, List<Store.Entry> c,
      List<List<Store.Entry>> orders) {}

  private static Split split(Gen gen) {
    List<Store.Entry> all = writes(gen);
    List<Store.Entry> a = new ArrayList<>();
    List<Store.Entry> b = new ArrayList<>();
    List<Store.Entry> c = new ArrayList<>();
    for (Store.Entry e : all) {
      List.of(a, b, c).get(gen.intBetween(0, 2)).add(e);
    }
    List<List<Store.Entry>> orders = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      List<Store.Entry> order = shuffled(gen, all);
      if (!all.isEmpty() && gen.bool()) {
        order.add(gen.intBetween(0, order.size()), all.get(gen.intBetween(0, all.size() - 1))); // a copy again
      }
      orders.add(order);
    }
    return new Split(all, a, b, c, orders);
  }

  @Test
  void addingRecords_isAJoin_commutativeAssociativeIdempotent() {
    Seeded.forAll(500, HistoryTest::split, s -> {
      List<History.Record> a = deliver(s.a());
      List<History.Record> b = deliver(s.b());
      List<History.Record> c = deliver(s.c());
      assertThat(join(a, b)).isEqualTo(join(b, a));
      assertThat(join(join(a, b), c)).isEqualTo(join(a, join(b, c)));
      assertThat(join(a, a)).isEqualTo(a);
      assertThat(join(join(a, b), c)).isEqualTo(deliver(s.all()));
    });
  }

  @Test
  void replicasReceivingTheSameWritesInAnyOrder_holdTheSameHistory_andShowTheSameState() {
    Seeded.forAll(500, HistoryTest::split, s -> {
      List<History.Record> first = deliver(s.orders().get(0));
      History.Walk walk = History.walk(first);
      for (List<Store.Entry> order : s.orders()) {
        List<History.Record> h = deliver(order);
        assertThat(h).isEqualTo(first);
        assertThat(History.walk(h)).isEqualTo(walk);
      }
      // what shows is never a takeover its holder's lease covered
      assertThat(walk.refuses(walk.visible().state())).isFalse();
      assertThat(first).contains(walk.visible());
    });
  }

  private static <T> List<List<T>> permutations(List<T> items) {
    if (items.isEmpty()) {
      return List.of(List.of());
    }
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      List<T> rest = new ArrayList<>(items);
      T head = rest.remove(i);
      for (List<T> p : permutations(rest)) {
        List<T> with = new ArrayList<>();
        with.add(head);
        with.addAll(p);
        out.add(with);
      }
    }
    return out;
  }
}
