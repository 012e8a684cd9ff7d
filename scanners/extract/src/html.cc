// HTML (files, members, e-mail bodies) through libxml2's HTML parser: the text of the
// document without tags, scripts and styles; entities decoded, white space collapsed,
// a newline after each block element and a tab after each table cell.
#include <libxml/HTMLparser.h>

#include <array>
#include <cstring>
#include <memory>

#include "builder.h"
#include "extractors.h"

namespace custos::extract {
namespace {

struct DocFree {
  void operator()(xmlDocPtr d) const { xmlFreeDoc(d); }
};

bool NameIs(const xmlNode* n, const char* name) {
  return n->name != nullptr && xmlStrcasecmp(n->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

bool Invisible(const xmlNode* n) {
  return NameIs(n, "script") || NameIs(n, "style") || NameIs(n, "template") ||
         NameIs(n, "noscript");
}

bool Block(const xmlNode* n) {
  static constexpr std::array<const char*, 22> kBlocks = {
      "p",     "div", "br", "tr",  "li",         "h1", "h2", "h3", "h4",      "h5",      "h6",
      "table", "ul",  "ol", "pre", "blockquote", "dt", "dd", "hr", "section", "article", "title"};
  for (const char* b : kBlocks) {
    if (NameIs(n, b)) return true;
  }
  return false;
}

// Appends `text` with each run of white space collapsed to one space.
void AppendCollapsed(const char* text, TextBuilder& out) {
  std::string s;
  bool space = false;
  for (const char* p = text; *p != '\0'; ++p) {
    const char c = *p;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      if (!space) s.push_back(' ');
      space = true;
      continue;
    }
    space = false;
    s.push_back(c);
  }
  if (out.at_block_start() && !s.empty() && s[0] == ' ') s.erase(0, 1);
  out.Append(s);
}

}  // namespace

void ExtractHtml(Input& in, std::string_view name, Context& ctx, unsigned depth) {
  if (in.seekable() && !in.memory() && in.size() > ctx.limits().max_member_bytes) {
    return ExtractText(in, name, ctx, depth);  // too large to parse: text with the tags
  }
  std::string storage;
  std::string_view bytes;
  if (InMemory(in, ctx, depth, storage, bytes)) ExtractHtmlBytes(bytes, false, ctx, depth);
}

void ExtractHtmlBytes(std::string_view bytes, bool utf8, Context& ctx, unsigned depth) {
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return;
  int options = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                HTML_PARSE_COMPACT;
  if (utf8) options |= HTML_PARSE_IGNORE_ENC;
  std::unique_ptr<xmlDoc, DocFree> doc(htmlReadMemory(bytes.data(), static_cast<int>(bytes.size()),
                                                      "part.html", utf8 ? "UTF-8" : nullptr,
                                                      options));
  if (!doc) return;
  TextBuilder out(ctx, depth);
  // Iterative walk (no recursion on deep documents).
  xmlNode* root = xmlDocGetRootElement(doc.get());
  xmlNode* n = root;
  unsigned visited = 0;
  while (n != nullptr) {
    if ((++visited & 1023) == 0 && ctx.Stopped(depth)) return;
    bool descend = false;
    if (n->type == XML_ELEMENT_NODE) {
      descend = !Invisible(n) && n->children != nullptr;
      if (NameIs(n, "br")) out.Separator('\n');
    } else if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
               n->content != nullptr) {
      AppendCollapsed(reinterpret_cast<const char*>(n->content), out);
    }
    if (descend) {
      n = n->children;
      continue;
    }
    // Leave n (and every ancestor whose last child it was).
    while (n != nullptr) {
      if (n->type == XML_ELEMENT_NODE) {
        if (NameIs(n, "td") || NameIs(n, "th")) {
          out.Separator('\t');
        } else if (Block(n)) {
          out.Separator('\n');
        }
      }
      if (n == root) {
        n = nullptr;
        break;
      }
      if (n->next != nullptr) {
        n = n->next;
        break;
      }
      n = n->parent;
    }
  }
  out.Finish();
}

}  // namespace custos::extract
