package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

/** {@link WarningLog}: its budget per window, and the count of what it held back. */
final class WarningLogTest {

  private final List<String> lines = new ArrayList<>();

  /** A logger that keeps each WARN line, formatted. */
  private Logger capturing() {
    return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
        (proxy, method, args) -> {
          if (method.getName().equals("warn")) {
            String format = (String) args[0];
            Object[] rest = args.length == 1 ? new Object[0]
                : args.length == 2 && args[1] instanceof Object[] a ? a
                : java.util.Arrays.copyOfRange(args, 1, args.length);
            lines.add(MessageFormatter.arrayFormat(format, rest).getMessage());
          }
          return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
        });
  }

  @Test
  void logsTheBudget_countsTheRest_andSaysHowManyWithTheNextLineAfterTheWindow() {
    WarningLog log = new WarningLog(capturing());
    for (int i = 0; i < 50; i++) {
      log.warn("forged write " + i, 1_000 + i);
    }
    assertThat(lines).hasSize(WarningLog.PER_WINDOW);
    assertThat(lines.get(0)).isEqualTo("forged write 0");
    assertThat(lines.get(WarningLog.PER_WINDOW - 1)).isEqualTo("forged write " + (WarningLog.PER_WINDOW - 1));

    log.warn("a later warning", 1_000 + WarningLog.WINDOW_MILLIS);
    assertThat(lines).hasSize(WarningLog.PER_WINDOW + 2);
    assertThat(lines.get(WarningLog.PER_WINDOW)).startsWith((50 - WarningLog.PER_WINDOW) + " more warnings were not logged");
    assertThat(lines.get(WarningLog.PER_WINDOW + 1)).isEqualTo("a later warning");

    log.warn("and one more", 1_001 + WarningLog.WINDOW_MILLIS);
    assertThat(lines).as("nothing held back since: no count line").last().isEqualTo("and one more");
    assertThat(lines).hasSize(WarningLog.PER_WINDOW + 3);
  }
}
