// TextBuilder: collects the text of a structured document (XML, HTML) and sends it to
// the context in batches, with one separator between blocks.
#pragma once

#include <string>
#include <string_view>

#include "context.h"

namespace custos::extract {

class TextBuilder {
 public:
  TextBuilder(Context& ctx, unsigned depth) : ctx_(ctx), depth_(depth) {}

  // Appends text (valid UTF-8), preceded by the pending separator if any.
  void Append(std::string_view utf8) {
    if (utf8.empty()) return;
    if (separator_ != 0) {
      if (started_) buf_.push_back(separator_);
      separator_ = 0;
    }
    started_ = true;
    buf_.append(utf8);
    if (buf_.size() >= kBatch) Flush();
  }
  // Ends a block: '\n' (paragraph, row) or '\t' (cell). The latest one before the
  // next text wins; none is written before the first or after the last text.
  void Separator(char c) { separator_ = c; }
  // True before the first text and when a separator is pending.
  bool at_block_start() const { return !started_ || separator_ != 0; }
  // Sends what is buffered; false when extraction must stop.
  bool Flush() {
    const bool go_on = ctx_.Emit(depth_, buf_);
    buf_.clear();
    return go_on;
  }
  // Flushes, ending the text with a newline.
  bool Finish() {
    if (started_) buf_.push_back('\n');
    started_ = false;
    separator_ = 0;
    return Flush();
  }

 private:
  static constexpr size_t kBatch = 64 << 10;
  Context& ctx_;
  const unsigned depth_;
  std::string buf_;
  char separator_ = 0;
  bool started_ = false;
};

}  // namespace custos::extract
