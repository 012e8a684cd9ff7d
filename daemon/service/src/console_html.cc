// The console's page frame, style sheet, escaping, forms, queries and cookies.
#include <cstdio>
#include <ctime>

#include "console.h"
#include "custos/base/escape.h"
#include "custos/base/time.h"

namespace custos::service::console {

std::string Html(std::string_view text) { return EscapeHtml(EscapeBytes(text, true)); }

std::string UrlEncode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string UrlDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 &&
               HexDigit(text[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

std::map<std::string, std::string> ParseForm(std::string_view text) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view pair = text.substr(start, end - start);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos) {
        out[UrlDecode(pair)] = "";
      } else {
        out[UrlDecode(pair.substr(0, eq))] = UrlDecode(pair.substr(eq + 1));
      }
    }
    start = end + 1;
  }
  return out;
}

std::map<std::string, std::string> ParseCookies(std::string_view header) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start < header.size()) {
    size_t end = header.find(';', start);
    if (end == std::string_view::npos) end = header.size();
    const std::string_view pair = header.substr(start, end - start);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos) out[Trim(pair.substr(0, eq))] = Trim(pair.substr(eq + 1));
    start = end + 1;
  }
  return out;
}

std::string Date(int64_t t) {
  if (t <= 0) return "";
  return FormatIso8601(t).substr(0, 10);
}

std::string DateTime(int64_t t) {
  if (t <= 0) return "";
  const std::string iso = FormatIso8601(t);
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

std::string CsrfField(const std::string& csrf) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + Html(csrf) + "\">";
}

std::string Page(const Frame& frame, const std::string& body) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"referrer\" content=\"no-referrer\">"
      "<link rel=\"stylesheet\" href=\"/console.css\"><title>" +
      Html(frame.title) + " - custos</title></head><body>";
  out += "<header><span class=\"brand\">custos review</span>";
  if (!frame.user.empty()) {
    static const std::pair<const char*, const char*> kNav[] = {{"overview", "/"},
                                                               {"findings", "/findings"},
                                                               {"coverage", "/coverage"},
                                                               {"scans", "/scans"},
                                                               {"policies", "/policies"}};
    out += "<nav>";
    for (const auto& [name, href] : kNav) {
      out += "<a href=\"" + std::string(href) + "\"" +
             (frame.active == name ? " class=\"active\" aria-current=\"page\"" : "") + ">" +
             (std::string(name) == "scans" ? std::string("roots and scans") : std::string(name)) +
             "</a>";
    }
    out += "</nav><form class=\"logout\" method=\"post\" action=\"/logout\">" +
           CsrfField(frame.csrf) + "<span class=\"user\">" + Html(frame.user) +
           "</span> <button type=\"submit\">Log out</button></form>";
  }
  out += "</header><main><h1>" + Html(frame.title) + "</h1>" + body + "</main></body></html>\n";
  return out;
}

const std::string& StyleSheet() {
  static const std::string kCss = R"(:root{--ink:#1d2430;--mute:#5b6575;--line:#d8dde5;--bg:#f6f7f9;
--accent:#1f5fa8;--crit:#a11d2b;--high:#c4501b;--med:#b8860b;--low:#4a7a3d}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 "DejaVu Sans",system-ui,sans-serif;color:var(--ink);background:var(--bg)}
header{display:flex;flex-wrap:wrap;align-items:center;gap:1em;padding:.6em 1.2em;background:#17324f;color:#fff}
header .brand{font-weight:bold;letter-spacing:.03em}
header nav{display:flex;gap:.2em;flex:1}
header nav a{color:#dfe8f3;text-decoration:none;padding:.3em .7em;border-radius:4px}
header nav a.active,header nav a:hover{background:#2b4d74;color:#fff}
header .user{color:#dfe8f3}
main{max-width:1200px;margin:0 auto;padding:1em 1.2em 3em}
h1{font-size:1.5em;margin:.4em 0 .8em}
h2{font-size:1.15em;margin:1.6em 0 .5em}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line)}
th,td{text-align:left;padding:.4em .6em;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef1f5;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.path{word-break:break-all;font-family:"DejaVu Sans Mono",monospace;font-size:.9em}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:.8em}
.figure{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.7em .9em}
.figure a{color:inherit;text-decoration:none;display:block}.figure a:hover b{color:var(--accent)}
.figure b{display:block;font-size:1.7em}
.figure span{color:var(--mute)}
.sev{font-weight:600}.sev-critical{color:var(--crit)}.sev-high{color:var(--high)}
.sev-medium{color:var(--med)}.sev-low{color:var(--low)}
.status{display:inline-block;padding:0 .5em;border-radius:3px;background:#e6ebf2}
.status-new{background:#fde2e1}.status-open{background:#fdebd3}
.status-acknowledged{background:#e1ecfb}.status-excepted{background:#ece4f7}
.status-resolved{background:#e0f0dc}
form.filters{display:flex;flex-wrap:wrap;gap:.6em;align-items:end;margin-bottom:1em}
form.filters label{display:flex;flex-direction:column;font-size:.9em;color:var(--mute)}
select,input,textarea,button{font:inherit}
input,select,textarea{padding:.3em .4em;border:1px solid #aab3c0;border-radius:4px;background:#fff}
button{padding:.35em .9em;border:1px solid var(--accent);border-radius:4px;background:var(--accent);color:#fff;cursor:pointer}
header button{background:transparent;border-color:#7f9cc0}
.forms{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:1em}
.forms form{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.8em 1em}
.forms label{display:block;margin:.4em 0}
.forms textarea,.forms input[type=text]{width:100%}
.login{max-width:380px;margin:3em auto;background:#fff;border:1px solid var(--line);border-radius:6px;padding:1.2em 1.5em}
.login label{display:block;margin:.6em 0}.login input{width:100%}
.message{padding:.6em .9em;border-radius:4px;background:#fdebd3;border:1px solid #e8c48f}
.pager{display:flex;gap:1em;margin:.8em 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1em;background:#fff;border:1px solid var(--line);padding:.8em 1em}
dl.facts dt{color:var(--mute)}dl.facts dd{margin:0}
.muted{color:var(--mute)}
a{color:var(--accent)}
h3{font-size:1em;margin:.2em 0 .4em}
svg text{font:11px "DejaVu Sans",sans-serif;fill:#5b6575}
)";
  return kCss;
}

}  // namespace custos::service::console
