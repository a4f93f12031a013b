package org.syncmesh.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The seeded random mesh the scale harnesses build ({@link TreeBench}, {@link ScaleProcesses}):
 * each of n nodes wants a degree drawn from 4..8 (at most n − 1); a random spanning tree first, so
 * that the mesh is connected, then random pairs that both still want a link. The same seed gives
 * the same mesh.
 */
final class MeshPlan {

  private MeshPlan() {}

  /** The links as {dialler, target} pairs of node indexes, in the order to dial them. */
  static List<int[]> links(int n, SplittableRandom random) {
    int[] want = new int[n];
    int[] degree = new int[n];
    for (int i = 0; i < n; i++) {
      want[i] = Math.min(n - 1, 4 + random.nextInt(5));
    }
    List<int[]> links = new ArrayList<>();
    Set<List<Integer>> linked = new HashSet<>();
    for (int i = 1; i < n; i++) {
      add(links, linked, degree, i, random.nextInt(i));
    }
    for (int attempt = 0; attempt < 50 * n; attempt++) {
      int i = random.nextInt(n);
      int j = random.nextInt(n);
      if (i != j && degree[i] < want[i] && degree[j] < want[j] && !linked.contains(List.of(i, j))
          && !linked.contains(List.of(j, i))) {
        add(links, linked, degree, i, j);
      }
    }
    return links;
  }

  private static void add(List<int[]> links, Set<List<Integer>> linked, int[] degree, int i, int j) {
    links.add(new int[] {i, j});
    linked.add(List.of(i, j));
    degree[i]++;
    degree[j]++;
  }
}
