package org.syncmesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.syncmesh.mesh.MeshSocket;

/**
 * The module's API is closed over its exported packages: no public or protected member of a public type in an
 * exported package (methods, constructors, fields, supertypes, type-parameter bounds, with their generic arguments)
 * mentions a type of this library that a consumer module cannot use, i.e. one in a package {@code module-info}
 * does not export, or one that is not public. The exported packages are read from the compiled
 * {@code module-info.class}, so a newly exported package is checked without touching this test.
 */
final class ExportedApiTest {

  private static final String ROOT = "org.syncmesh";

  @Test
  void exportedApi_mentionsNoInternalType() throws Exception {
    Path classes = classesDirectory();
    Set<String> exported = exportedPackages(classes);
    assertThat(exported).as("exported packages of %s", classes).contains(ROOT, ROOT + ".mesh", ROOT + ".sync");

    List<Class<?>> api = new ArrayList<>();
    for (String pkg : exported) {
      for (Class<?> type : classesIn(classes, pkg)) {
        if (isApi(type)) {
          api.add(type);
        }
      }
    }
    assertThat(api).as("API types found").contains(MeshSocket.class, MeshSocket.Builder.class);

    Set<String> offenders = new TreeSet<>();
    for (Class<?> type : api) {
      offenders.addAll(new Checker(exported, type).offenders());
    }
    assertThat(offenders).as("public signatures in exported packages that mention internal types").isEmpty();
  }

  /** The checker itself: each way a leak can hide is found. */
  @Test
  void checker_findsInternalTypesWhereverTheyHide() {
    Set<String> exported = Set.of(ROOT, ROOT + ".mesh");
    assertThat(new Checker(exported, Leaky.class).offenders()).containsExactlyInAnyOrder(
        "org.syncmesh.ExportedApiTest$Leaky.field: org.syncmesh.wire.InternalMessage",
        "org.syncmesh.ExportedApiTest$Leaky.frames(): org.syncmesh.net.OutboundFrame",
        "org.syncmesh.ExportedApiTest$Leaky(java.util.function.Supplier<org.syncmesh.wire.NodeId[]>): "
            + "org.syncmesh.wire.NodeId",
        "org.syncmesh.ExportedApiTest$Leaky.fail(): org.syncmesh.wire.WireFormatException",
        "org.syncmesh.ExportedApiTest$Leaky.hidden(org.syncmesh.ExportedApiTest$Hidden): "
            + "org.syncmesh.ExportedApiTest$Hidden (not public)",
        "org.syncmesh.ExportedApiTest$Leaky type parameter T: org.syncmesh.wire.Flags");
    assertThat(new Checker(exported, MeshSocket.class).offenders()).isEmpty();
  }

  // ---------------------------------------------------------------- the check

  private static final class Checker {
    private final Set<String> exported;
    private final Class<?> type;
    private final Set<String> offenders = new LinkedHashSet<>();

    Checker(Set<String> exported, Class<?> type) {
      this.exported = exported;
      this.type = type;
    }

    Set<String> offenders() {
      String name = type.getName();
      check(name + " extends", type.getGenericSuperclass());
      for (Type t : type.getGenericInterfaces()) {
        check(name + " implements", t);
      }
      for (TypeVariable<?> v : type.getTypeParameters()) {
        check(name + " type parameter " + v.getName(), v);
      }
      // Declared public/protected members, and public ones inherited from a non-public superclass.
      Set<Member> members = new LinkedHashSet<>();
      Stream.of(type.getDeclaredFields(), type.getDeclaredMethods(), type.getDeclaredConstructors())
          .flatMap(Stream::of).filter(m -> visible(m.getModifiers()) && !m.isSynthetic()).forEach(members::add);
      Stream.of(type.getFields(), type.getMethods()).flatMap(Stream::of).forEach(members::add);
      for (Member member : members) {
        if (member instanceof Method m && m.isBridge()) {
          continue;
        }
        if (member instanceof Field f) {
          check(name + "." + f.getName(), f.getGenericType());
        } else {
          Executable e = (Executable) member;
          String where = (e instanceof Constructor<?> ? name : name + "." + e.getName()) + "("
              + Stream.of(e.getGenericParameterTypes()).map(Type::getTypeName).collect(Collectors.joining(", ")) + ")";
          if (e instanceof Method m) {
            check(where, m.getGenericReturnType());
          }
          for (Type t : e.getGenericParameterTypes()) {
            check(where, t);
          }
          for (Type t : e.getGenericExceptionTypes()) {
            check(where, t);
          }
          for (TypeVariable<?> v : e.getTypeParameters()) {
            check(where, v);
          }
        }
      }
      return offenders;
    }

    private void check(String where, Type t) {
      List<String> bad = new ArrayList<>();
      walk(t, bad, new HashSet<>());
      for (String b : bad) {
        offenders.add(where + ": " + b);
      }
    }

    private void walk(Type t, List<String> bad, Set<Type> seen) {
      if (t == null || !seen.add(t)) {
        return;
      }
      if (t instanceof Class<?> c) {
        while (c.isArray()) {
          c = c.getComponentType();
        }
        if (!c.getName().startsWith(ROOT + ".")) {
          return;
        }
        if (!exported.contains(c.getPackageName())) {
          bad.add(c.getName());
        } else if (!isApi(c)) {
          bad.add(c.getName() + " (not public)");
        }
      } else if (t instanceof ParameterizedType p) {
        walk(p.getRawType(), bad, seen);
        walk(p.getOwnerType(), bad, seen);
        for (Type a : p.getActualTypeArguments()) {
          walk(a, bad, seen);
        }
      } else if (t instanceof WildcardType w) {
        for (Type b : w.getUpperBounds()) {
          walk(b, bad, seen);
        }
        for (Type b : w.getLowerBounds()) {
          walk(b, bad, seen);
        }
      } else if (t instanceof TypeVariable<?> v) {
        for (Type b : v.getBounds()) {
          walk(b, bad, seen);
        }
      } else if (t instanceof GenericArrayType a) {
        walk(a.getGenericComponentType(), bad, seen);
      }
    }
  }

  /** Public or protected itself and in every enclosing type: reachable from another module. */
  private static boolean isApi(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getDeclaringClass()) {
      if (c.isAnonymousClass() || c.isLocalClass() || c.isSynthetic() || !visible(c.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  // ---------------------------------------------------------------- the compiled module

  private static Path classesDirectory() throws URISyntaxException {
    Path location = Path.of(MeshSocket.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertThat(location).as("the library's classes directory").isDirectory();
    return location;
  }

  private static Set<String> exportedPackages(Path classes) throws IOException {
    try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
      return ModuleDescriptor.read(in).exports().stream().filter(e -> !e.isQualified())
          .map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static List<Class<?>> classesIn(Path classes, String pkg) throws IOException, ClassNotFoundException {
    Path dir = classes.resolve(pkg.replace('.', '/'));
    List<Class<?>> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        String fileName = file.getFileName().toString();
        if (fileName.endsWith(".class") && !fileName.equals("package-info.class")) {
          String name = pkg + "." + fileName.substring(0, fileName.length() - ".class".length());
          found.add(Class.forName(name, false, ExportedApiTest.class.getClassLoader()));
        }
      }
    }
    return found;
  }

  // ---------------------------------------------------------------- a type that leaks in every way

  private static final class Hidden {}

  /** Leaks an internal type through each kind of member the check covers; its own nesting is not checked. */
  @SuppressWarnings("unused")
  public static class Leaky<T extends org.syncmesh.wire.Flags> {
    public org.syncmesh.wire.InternalMessage field;
    private org.syncmesh.wire.InternalMessage privateField;

    public Leaky(java.util.function.Supplier<org.syncmesh.wire.NodeId[]> ids) {}

    public List<? extends org.syncmesh.net.OutboundFrame> frames() {
      return List.of();
    }

    public void fail() throws org.syncmesh.wire.WireFormatException {}

    protected void hidden(Hidden h) {}

    void packagePrivate(org.syncmesh.wire.InternalMessage m) {}
  }
}
