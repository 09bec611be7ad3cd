#include "tomopick/report/html_page.h"

#include <fmt/format.h>

#include <cmath>
#include <ctime>

#include "tomopick/report/html_text.h"

namespace tomopick {

namespace {

constexpr const char* kStyle = R"css(
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0b62d6; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); background: #eef1f5; }
header.top { background: linear-gradient(135deg, #0f172a, #1e293b); color: #f8fafc; padding: 26px 0 22px; }
.wrap { max-width: 1240px; margin: 0 auto; padding: 0 28px; }
header.top h1 { margin: 0; font-size: 26px; font-weight: 650; letter-spacing: -0.01em; }
header.top .sub { margin: 6px 0 0; color: #cbd5e1; }
header.top code { color: #e2e8f0; background: rgba(255,255,255,.08); padding: 1px 5px; border-radius: 4px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px; margin: 20px 0; box-shadow: 0 1px 2px rgba(15,23,42,.04); }
h2 { font-size: 18px; margin: 0 0 14px; font-weight: 650; }
h3 { font-size: 15px; margin: 22px 0 8px; font-weight: 600; }
h3 .meta { font-weight: 400; color: var(--muted); font-size: 13px; margin-left: 8px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 12px; }
.card { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .k { color: var(--muted); font-size: 11.5px; text-transform: uppercase; letter-spacing: .05em; }
.card .v { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card.main { background: #eaf2fe; border-color: #b6d0f7; }
.card.main .v { font-size: 28px; color: var(--accent); }
.card.compact .v { font-size: 19px; padding-top: 4px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; border-bottom: 1px solid #e8ecf0; text-align: right; white-space: nowrap; }
th { font-weight: 600; color: var(--muted); font-size: 11.5px; text-transform: uppercase; letter-spacing: .04em; border-bottom: 2px solid var(--line); }
tbody tr:hover { background: #f8fafc; }
.name { text-align: left; }
tr.unscored td { color: #8b949e; }
td.f { font-weight: 600; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin-right: 8px; vertical-align: -1px; box-shadow: inset 0 0 0 1px rgba(0,0,0,.25); }
table.kv td { text-align: left; white-space: normal; vertical-align: top; }
table.kv td:first-child { color: var(--muted); width: 210px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; overflow: auto; max-height: 460px; margin: 8px 0 0; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 16px; }
.plots.wide { grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); }
figure { margin: 0; }
figure svg, figure img { display: block; width: 100%; height: auto; }
figure svg { border: 1px solid #e8ecf0; border-radius: 6px; }
figcaption { color: var(--muted); font-size: 12.5px; margin-top: 5px; }
.slices { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 14px; }
.slices img { width: 100%; border-radius: 6px; background: #111; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; margin: 0 0 6px; }
.legend span { display: inline-flex; align-items: center; }
.legend svg { margin-right: 6px; }
.note { color: var(--muted); font-size: 13px; margin: 8px 0 0; }
.note.warn { color: #9a6700; }
footer { color: var(--muted); font-size: 12px; padding: 4px 0 32px; }
)css";

// Marks <html> once the page has loaded: how many images there are, how many decoded, and how many
// errors (scripts or resources) happened, so headless browsers can check the report.
constexpr const char* kScript = R"js(
(function () {
  var errors = [];
  function mark(status) {
    var imgs = document.images, ok = 0;
    for (var i = 0; i < imgs.length; i++) if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++;
    var root = document.documentElement;
    root.setAttribute('data-images', String(imgs.length));
    root.setAttribute('data-images-loaded', String(ok));
    root.setAttribute('data-errors', String(errors.length));
    if (errors.length) root.setAttribute('data-error-messages', errors.join(' | '));
    if (status) root.setAttribute('data-status', status);
  }
  window.addEventListener('error', function (e) {
    errors.push(e && e.message ? String(e.message) : 'a resource failed to load');
    mark(null);
  }, true);
  window.addEventListener('load', function () { mark('loaded'); });
})();
)js";

}  // namespace

std::string html_rate(double v) { return std::isfinite(v) ? fmt::format("{:.4f}", v) : "–"; }

std::string html_now_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

std::string html_card(const std::string& key, const std::string& value, const char* kind) {
  return fmt::format("<div class=\"card{}\"><div class=\"k\">{}</div><div class=\"v\">{}</div></div>\n", kind,
                     html_escape(key), html_escape(value));
}

std::string html_kv(const std::string& key, const std::string& value_html) {
  return "<tr><td>" + html_escape(key) + "</td><td>" + value_html + "</td></tr>\n";
}

std::string html_page(const std::string& title, const std::string& subtitle_html, const std::string& body_html) {
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>" + html_escape(title) + "</title>\n";
  h += std::string("<style>") + kStyle + "</style>\n<script>" + kScript + "</script>\n</head>\n<body>\n";
  h += "<header class=\"top\"><div class=\"wrap\"><h1>" + html_escape(title) + "</h1>\n<p class=\"sub\">" + subtitle_html +
       "</p></div></header>\n";
  h += "<main class=\"wrap\">\n" + body_html + "</main>\n";
  h += "<footer class=\"wrap\">Made by tomopick " + html_escape(TOMOPICK_VERSION) + " on " + html_escape(html_now_utc()) +
       ". Self-contained: pictures are embedded PNGs, plots inline SVG.</footer>\n</body>\n</html>\n";
  return h;
}

}  // namespace tomopick
