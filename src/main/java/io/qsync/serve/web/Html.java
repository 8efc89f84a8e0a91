package io.qsync.serve.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * What every page of the status page shares: escaping, the frame with its one inline stylesheet
 * (light and dark, phone and desktop), and how times, ages and counts read. Stateless and
 * thread-safe.
 */
final class Html {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Html() {}

  /** The text with every character that means something in HTML (or in an attribute) escaped. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** A sync's name as one path segment: every byte but the unreserved ones percent-encoded. */
  static String pathSegment(String name) {
    StringBuilder out = new StringBuilder();
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(String.format(Locale.ROOT, "%02X", c));
      }
    }
    return out.toString();
  }

  /** {@code 2026-03-01 10:00:00 UTC}. */
  static String time(Instant at) {
    return TIME.format(at) + " UTC";
  }

  /** The instant as an HTML {@code <time>} element. */
  static String timeElement(Instant at) {
    return "<time datetime=\"" + at + "\">" + escape(time(at)) + "</time>";
  }

  /** {@code 3h 5m}, {@code 12.4s}, {@code 850ms}: a duration as a person reads it. */
  static String duration(Duration duration) {
    long millis = duration.toMillis();
    if (millis < 0) {
      return "-" + duration(duration.negated());
    }
    if (millis < 1000) {
      return millis + "ms";
    }
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
    long seconds = duration.toSeconds();
    if (seconds < 3600) {
      return (seconds / 60) + "m " + (seconds % 60) + "s";
    }
    if (seconds < 86_400) {
      return (seconds / 3600) + "h " + (seconds % 3600 / 60) + "m";
    }
    return (seconds / 86_400) + "d " + (seconds % 86_400 / 3600) + "h";
  }

  /** {@code 1,234}. */
  static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  /**
   * A whole page.
   *
   * @param refresh where the page reloads itself every few seconds, so new runs appear (its own
   *     path without a one-time notice); none: it stays
   */
  static String page(String title, Optional<String> refresh, String nav, String body) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<meta name=\"color-scheme\" content=\"light dark\">"
        + refresh
            .map(
                path ->
                    "<meta http-equiv=\"refresh\" content=\""
                        + REFRESH_SECONDS
                        + "; url="
                        + escape(path)
                        + "\">")
            .orElse("")
        + "<title>"
        + escape(title)
        + " · qsync</title><style>"
        + STYLE
        + "</style></head><body><header><a class=\"brand\" href=\"/\">qsync</a>"
        + nav
        + "</header><main>"
        + body
        + "</main><footer>"
        + (refresh.isPresent() ? "Refreshes every " + REFRESH_SECONDS + "s · " : "")
        + "<a href=\"/metrics\">metrics</a> · <a href=\"/readyz\">readyz</a></footer>"
        + "</body></html>\n";
  }

  static final int REFRESH_SECONDS = 5;

  private static final String STYLE =
      """
      :root{--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa;\
      --ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--run:#0969da;--ins:#1a7f37;--upd:#0969da;\
      --del:#cf222e;--accent:#8250df}
      @media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;\
      --line:#3d444d;--panel:#151b23;--ok:#3fb950;--bad:#f85149;--warn:#d29922;--run:#4493f8;\
      --ins:#3fb950;--upd:#4493f8;--del:#f85149;--accent:#ab7df8}}
      *{box-sizing:border-box}
      body{margin:0;background:var(--bg);color:var(--fg);\
      font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
      header{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;padding:.6rem 1rem;\
      border-bottom:1px solid var(--line);background:var(--panel)}
      header .brand{font-weight:700;font-size:1.1rem;color:var(--fg);text-decoration:none}
      header .who{margin-left:auto;display:flex;gap:.5rem;align-items:center}
      main{padding:1rem;max-width:1200px;margin:0 auto}
      footer{padding:1rem;color:var(--muted);font-size:12px;text-align:center}
      a{color:var(--run)}
      h1{font-size:1.4rem;margin:.2rem 0 .8rem}h2{font-size:1.1rem;margin:1.4rem 0 .6rem}
      .muted{color:var(--muted)}
      table{border-collapse:collapse;width:100%}
      th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid var(--line);\
      vertical-align:top}
      th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;\
      letter-spacing:.03em}
      td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
      .scroll{overflow-x:auto}
      .badge{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:12px;\
      font-weight:600;border:1px solid currentColor;white-space:nowrap}
      .s-succeeded,.f-fresh{color:var(--ok)}.s-failed,.f-stale{color:var(--bad)}
      .s-interrupted,.s-abandoned{color:var(--warn)}.s-running{color:var(--run)}
      .s-never,.f-unbounded,.f-pending{color:var(--muted)}
      .problems{border-color:var(--bad)}
      pre.error{white-space:pre-wrap;word-break:break-word;margin:.3rem 0;padding:.6rem;\
      border-left:3px solid var(--bad);background:var(--panel);font-size:12px}
      tr.error-row td{border-top:0}
      .panel{border:1px solid var(--line);border-radius:6px;padding:.8rem;background:var(--panel)}
      .facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:.6rem;\
      margin-bottom:1rem}
      .facts>div{border:1px solid var(--line);border-radius:6px;padding:.5rem .7rem}
      .facts b{display:block;font-size:12px;color:var(--muted);font-weight:600}
      .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:1rem}
      figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:.6rem}
      figcaption{font-weight:600;margin-bottom:.3rem}
      svg.chart{width:100%;height:auto;display:block;color:var(--fg)}
      svg .axis{stroke:var(--muted);stroke-width:1}svg .grid{stroke:var(--line);stroke-width:1}
      svg text{fill:var(--muted);font-size:12px}svg .line{fill:none;stroke-width:2}
      .c0{fill:var(--accent);stroke:var(--accent)}.c-inserted{fill:var(--ins);stroke:var(--ins)}
      .c-updated{fill:var(--upd);stroke:var(--upd)}.c-deleted{fill:var(--del);stroke:var(--del)}
      .c1{fill:var(--warn);stroke:var(--warn)}.c2{fill:var(--run);stroke:var(--run)}
      .c3{fill:var(--bad);stroke:var(--bad)}.c4{fill:var(--ok);stroke:var(--ok)}
      .legend{display:flex;gap:.8rem;flex-wrap:wrap;font-size:12px;color:var(--muted)}
      .legend i{display:inline-block;width:.7rem;height:.7rem;border-radius:2px;\
      margin-right:.25rem;vertical-align:-1px;background:currentColor}
      .actions{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center;margin:.6rem 0}
      button{font:inherit;padding:.35rem .9rem;border-radius:6px;border:1px solid var(--line);\
      background:var(--panel);color:var(--fg);cursor:pointer}
      button.primary{background:var(--ok);border-color:var(--ok);color:#fff}
      button:disabled{opacity:.5;cursor:not-allowed}
      input[type=password]{font:inherit;padding:.35rem;border-radius:6px;\
      border:1px solid var(--line);background:var(--bg);color:var(--fg)}
      .notice{padding:.6rem .8rem;border-radius:6px;border:1px solid var(--line);margin:.6rem 0}
      @media (max-width:700px){
      main{padding:.6rem}
      table.reflow thead{display:none}
      table.reflow tr{display:block;border:1px solid var(--line);border-radius:6px;\
      margin-bottom:.6rem;padding:.3rem}
      table.reflow tr.error-row{margin-top:-.7rem;border-top:0;border-radius:0 0 6px 6px}
      table.reflow td{display:block;border:0;padding:.25rem .4rem;text-align:right;\
      overflow:hidden}
      table.reflow td::before{content:attr(data-label);float:left;font-weight:600;\
      color:var(--muted);padding-right:1rem}
      table.reflow td.wide{display:block;text-align:left}
      table.reflow td.wide::before{display:none}
      .charts{grid-template-columns:1fr}
      .facts{grid-template-columns:1fr 1fr}}
      """;
}
