// The text of a PDF file, read with poppler (as custos' own PDF extractor reads it), for
// the tests of the PDF report.
#pragma once

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-page.h>
#include <memory>
#include <string>

namespace custos::test {

// Every page's text, pages separated by a form feed; empty when it is not a PDF.
inline std::string PdfText(const std::string& path) {
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(path));
  if (!doc) return {};
  std::string out;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) continue;
    const poppler::byte_array utf8 = page->text().to_utf8();
    out.append(utf8.begin(), utf8.end());
    out += '\f';
  }
  return out;
}

}  // namespace custos::test
