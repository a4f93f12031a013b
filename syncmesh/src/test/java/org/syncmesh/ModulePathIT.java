package org.syncmesh;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.mesh.NodeCertificates;

/**
 * The packaged library as a JPMS module, the way a modular application uses it: a tiny consumer module that
 * {@code requires org.syncmesh} is compiled and run on the module path with the library jar and its non-optional
 * dependencies only (no BouncyCastle PKIX, no snappy, commons-compress or xz, no logging backend). It runs two
 * secure {@code SyncSocket}s (certificates and identity keys made here, read there) that link on epoll (its native
 * module named with {@code --add-modules}), compressing with what the JDK has, and replicate a write. Compiling
 * against an internal package (wire, the mesh's extension hook in mesh.spi) must fail; {@link ExportedApiTest}
 * checks that the exported signatures need none.
 *
 * <p>Runs in {@code mvn verify} after {@code package}: it needs {@code target/syncmesh-<version>.jar}.
 */
final class ModulePathIT {

  /** The library's required (non-optional) run-time dependencies, by jar file name. */
  private static final Pattern REQUIRED = Pattern.compile("(netty-[a-z-]+|msgpack-core|slf4j-api|bcprov-jdk18on|"
      + "rocksdbjni)-[0-9][^/]*\\.jar");

  /**
   * Nothing requires the module of epoll's native library (x86-64 Linux's build of it), so a modular
   * application names it, as docs/deployment.md §6 says; without it the links run on NIO.
   */
  private static final String EPOLL_MODULE = "io.netty.transport.epoll.linux.x86_64";

  private static final boolean LINUX_X86_64 = "Linux".equals(System.getProperty("os.name"))
      && "amd64".equals(System.getProperty("os.arch"));

  @TempDir Path dir;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aConsumerModule_runsSecureNodesOnTheModulePath_withoutTheOptionalDependencies() throws Exception {
    List<String> modulePath = new ArrayList<>();
    modulePath.add(libraryJar().toString());
    modulePath.addAll(requiredJars());
    assertThat(modulePath).noneMatch(p -> p.contains("bcpkix") || p.contains("snappy") || p.contains("commons-compress")
        || p.contains("/xz-") || p.contains("slf4j-simple"));

    Path data = Files.createDirectories(dir.resolve("data"));
    NodeCertificates.Issued ca = NodeCertificates.authority("module path test", Duration.ofDays(1));
    Files.writeString(data.resolve("ca.pem"), NodeCertificates.pem(ca.certificate()));
    for (String name : List.of("a", "b")) {
      NodeIdentity identity = NodeIdentity.generate();
      Files.writeString(data.resolve(name + ".id"), identity.toPem());
      NodeCertificates.write(NodeCertificates.node(ca, identity.id(), Duration.ofDays(1)),
          data.resolve(name + ".pem"), data.resolve(name + ".key"));
    }

    Path src = dir.resolve("src");
    write(src.resolve("module-info.java"), "module consumer { requires org.syncmesh; }");
    write(src.resolve("consumer/Main.java"), CONSUMER);
    Path out = dir.resolve("out");
    String mp = String.join(File.pathSeparator, modulePath);
    Compiled ok = compile(out, mp, src.resolve("module-info.java"), src.resolve("consumer/Main.java"));
    assertThat(ok.exitCode).as("compiling the consumer:\n%s", ok.output).isZero();

    Path bad = dir.resolve("bad");
    write(bad.resolve("module-info.java"), "module sneaky { requires org.syncmesh; }");
    write(bad.resolve("sneaky/Internal.java"),
        "package sneaky; public final class Internal { Object o = org.syncmesh.wire.FrameCodec.class;"
            + " Object e = org.syncmesh.mesh.spi.Extensions.class; }");
    Compiled refused = compile(dir.resolve("bad-out"), mp, bad.resolve("module-info.java"),
        bad.resolve("sneaky/Internal.java"));
    assertThat(refused.exitCode).as("wire and mesh.spi are not exported").isNotZero();
    assertThat(refused.output).contains("package org.syncmesh.wire is not visible")
        .contains("package org.syncmesh.mesh.spi is not visible");

    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--module-path", out + File.pathSeparator + mp, "--add-modules", EPOLL_MODULE,
        "-m", "consumer/consumer.Main", data.toString())
        .redirectErrorStream(true).start();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> {
      try {
        p.getInputStream().transferTo(output);
      } catch (IOException e) {
        // the process ended; what was read is kept
      }
    }, "module-path-consumer-output");
    reader.start();
    boolean ended = p.waitFor(2, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    reader.join(10_000);
    String text = output.toString(UTF_8);
    assertThat(ended).as("the consumer ends in time:\n%s", text).isTrue();
    assertThat(p.exitValue()).as("the consumer's exit code:\n%s", text).isZero();
    assertThat(text).contains("module org.syncmesh")
        .contains("pkix=false snappy=false")
        .contains("replicated v")
        .contains(LINUX_X86_64 ? "io=epoll" : "io=");
  }

  private static Path libraryJar() {
    Path jar = Path.of(System.getProperty("syncmesh.libraryJar", "target/missing.jar"));
    assertThat(jar).as("the packaged library (runs after package)").isRegularFile();
    return jar;
  }

  private static List<String> requiredJars() {
    return Pattern.compile(Pattern.quote(File.pathSeparator)).splitAsStream(System.getProperty("java.class.path"))
        .filter(p -> REQUIRED.matcher(Path.of(p).getFileName().toString()).matches())
        .collect(Collectors.toList());
  }

  private record Compiled(int exitCode, String output) {}

  private static Compiled compile(Path out, String modulePath, Path... sources) {
    ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow(() -> new AssertionError("tests run on a JDK"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintWriter w = new PrintWriter(err, true, UTF_8);
    List<String> args = new ArrayList<>(List.of("--release", "17", "--module-path", modulePath, "-d", out.toString()));
    for (Path s : sources) {
      args.add(s.toString());
    }
    int code = javac.run(w, w, args.toArray(String[]::new));
    w.flush();
    return new Compiled(code, err.toString(UTF_8));
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  /** Two secure nodes in one process; prints what the test checks, exits non-zero on any failure. */
  private static final String CONSUMER = """
      package consumer;

      import java.nio.file.Files;
      import java.nio.file.Path;
      import java.util.concurrent.CountDownLatch;
      import java.util.concurrent.TimeUnit;
      import org.syncmesh.Bytes;
      import org.syncmesh.NodeIdentity;
      import org.syncmesh.sync.SyncListener;
      import org.syncmesh.sync.SyncSocket;

      public final class Main {
        public static void main(String[] args) throws Exception {
          Path d = Path.of(args[0]);
          System.out.println(SyncSocket.class.getModule());
          System.out.println("pkix=" + ModuleLayer.boot().findModule("org.bouncycastle.pkix").isPresent()
              + " snappy=" + ModuleLayer.boot().findModule("org.xerial.snappy").isPresent());
          try (SyncSocket a = node(d, "a"); SyncSocket b = node(d, "b")) {
            System.out.println("io=" + a.mesh().ioTransport());
            CountDownLatch got = new CountDownLatch(1);
            b.addListener(new SyncListener() {
              @Override
              public void onUpdate(SyncSocket socket, Bytes key, Object value, org.syncmesh.sync.MetaTuple meta) {
                if (key.utf8().equals("k") && "v".repeat(4096).equals(value)) {
                  got.countDown();
                }
              }
            });
            b.connect("127.0.0.1", a.port()).get(30, TimeUnit.SECONDS);
            a.set("k", "v".repeat(4096)); // big enough to be compressed
            if (!got.await(30, TimeUnit.SECONDS)) {
              throw new AssertionError("b never received k");
            }
            System.out.println("replicated v x " + ((String) b.get("k").orElseThrow()).length());
          }
        }

        private static SyncSocket node(Path d, String name) throws Exception {
          NodeIdentity identity = NodeIdentity.fromPem(Files.readString(d.resolve(name + ".id")));
          return new SyncSocket.Builder().host("127.0.0.1").port(0).leasing(false)
              .secure(d.resolve(name + ".pem"), d.resolve(name + ".key"), d.resolve("ca.pem"))
              .identity(identity).build();
        }
      }
      """;
}
