package io.qsync.config;

import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Environment placeholders in config values: {@code ${VAR}} is replaced by the variable's value,
 * {@code ${VAR:-default}} by the default when the variable is unset or empty, and {@code $${}
 * stands for a literal {@code ${}. Stateless and thread-safe.
 */
final class Placeholders {
  private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private Placeholders() {}

  /**
   * Returns {@code text} with every placeholder replaced, or empty after telling {@code problems}
   * what is wrong. A problem never quotes {@code text}, which may be a secret.
   */
  static Optional<String> substitute(
      String text, Map<String, String> environment, Consumer<String> problems) {
    StringBuilder result = new StringBuilder(text.length());
    boolean complete = true;
    int at = 0;
    while (at < text.length()) {
      if (text.startsWith("$${", at)) {
        result.append("${");
        at += 3;
      } else if (!text.startsWith("${", at)) {
        result.append(text.charAt(at++));
      } else {
        int end = text.indexOf('}', at);
        String reference = end < 0 ? "" : text.substring(at + 2, end);
        int colon = reference.indexOf(":-");
        String variable = colon < 0 ? reference : reference.substring(0, colon);
        if (!VARIABLE_NAME.matcher(variable).matches()) {
          problems.accept(
              "a '${' here starts no ${NAME} or ${NAME:-default} reference;"
                  + " write $${ for a literal ${");
          return Optional.empty();
        }
        String value = environment.get(variable);
        if (colon >= 0 && (value == null || value.isEmpty())) {
          value = reference.substring(colon + 2);
        } else if (value == null) {
          problems.accept(
              "environment variable "
                  + variable
                  + " is not set; set "
                  + variable
                  + " in the environment (or give a default: ${"
                  + variable
                  + ":-value})");
          complete = false;
        }
        result.append(value);
        at = end + 1;
      }
    }
    return complete ? Optional.of(result.toString()) : Optional.empty();
  }
}
