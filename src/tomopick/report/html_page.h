#pragma once
// The frame every tomopick HTML report shares: one look (inline CSS), the script that marks <html>
// once the page has loaded (data-status="loaded", data-images, data-images-loaded, data-errors, so
// headless browsers can check a report), the dark header and the footer; and the small pieces the
// reports' sections are made of.
#include <string>

namespace tomopick {

// A whole self-contained page: `subtitle_html` under the title, `body_html` (sections) in <main>.
std::string html_page(const std::string& title, const std::string& subtitle_html, const std::string& body_html);

// A summary card (the headline number gets kind " main", a long value " compact"); text is escaped.
std::string html_card(const std::string& key, const std::string& value, const char* kind = "");
// A row of a two-column key/value table; the key is escaped, the value is HTML.
std::string html_kv(const std::string& key, const std::string& value_html);
// "2026-12-05 07:10 UTC".
std::string html_now_utc();
// A rate or score in a table: 4 decimals, "–" when undefined.
std::string html_rate(double v);

}  // namespace tomopick
