package io.qsync.serve.web;

import static java.util.Objects.requireNonNull;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Who looks at a page, as far as its actions care: whether actions are on at all (a token is
 * configured) and, for a signed-in person, the session's CSRF value every action form carries.
 * Immutable.
 */
record Viewer(boolean actionsOn, Optional<String> csrf) {
  static final String ACTIONS_OFF = "set serve.token to enable";

  static final Viewer NO_TOKEN = new Viewer(false, Optional.empty());
  static final Viewer SIGNED_OUT = new Viewer(true, Optional.empty());

  Viewer {
    requireNonNull(csrf, "csrf is null");
    if (!actionsOn && csrf.isPresent()) {
      throw new IllegalArgumentException("no session without a token");
    }
  }

  static Viewer signedIn(String csrf) {
    return new Viewer(true, Optional.of(csrf));
  }

  boolean signedIn() {
    return csrf.isPresent();
  }

  /** The header's right side: sign in, sign out, or why actions are off. */
  String nav(String here) {
    if (!actionsOn) {
      return "<span class=\"who muted\" title=\"Run now is off\">Actions off: "
          + ACTIONS_OFF
          + "</span>";
    }
    if (signedIn()) {
      return "<form class=\"who\" method=\"post\" action=\"/signout\">"
          + csrfInput()
          + "<span class=\"muted\">Signed in</span><button type=\"submit\">Sign out</button></form>";
    }
    return "<span class=\"who\"><a href=\"/signin?next="
        + Html.escape(URLEncoder.encode(here, StandardCharsets.UTF_8))
        + "\">Sign in to run syncs</a></span>";
  }

  /** The hidden input that carries the session's CSRF value; empty when signed out. */
  String csrfInput() {
    return csrf.map(
            value -> "<input type=\"hidden\" name=\"csrf\" value=\"" + Html.escape(value) + "\">")
        .orElse("");
  }
}
