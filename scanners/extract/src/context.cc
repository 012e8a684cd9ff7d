#include "context.h"

#include <algorithm>

#include "utf8.h"

namespace custos::extract {

Context::Context(const Limits& limits, TextSink& sink, Outcome* outcome)
    : limits_(limits), sink_(sink), outcome_(outcome), start_(std::chrono::steady_clock::now()) {}

bool Context::Stopped(unsigned depth) {
  if (outcome_->interrupted) return true;
  if (limits_.cancel && limits_.cancel->load(std::memory_order_relaxed)) {
    // Whatever was noted before, the item is incomplete because it was interrupted.
    outcome_->interrupted = true;
    outcome_->partial = kReasonInterrupted;
    cancel_depth_ = 0;
    return true;
  }
  if (cancel_depth_ == 0) return true;
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
  if (elapsed.count() > limits_.max_seconds) {
    Cancel(0, kReasonTime);
    return true;
  }
  return depth >= cancel_depth_;
}

void Context::Note(const SkipReason& reason) {
  const bool replace = outcome_->partial.empty() || (outcome_->partial.kind() == Skip::kCorrupt &&
                                                     reason.kind() != Skip::kCorrupt);
  if (replace) outcome_->partial = reason;
}

void Context::Cancel(unsigned depth, const SkipReason& reason) {
  Note(reason);
  cancel_depth_ = std::min(cancel_depth_, depth);
}

void Context::Resume(unsigned depth) {
  if (cancel_depth_ != kNotCancelled && cancel_depth_ > depth) cancel_depth_ = kNotCancelled;
}

bool Context::Emit(unsigned depth, std::string_view utf8) {
  if (Stopped(depth)) return false;
  if (utf8.empty()) return true;
  const uint64_t used = outcome_->bytes_out;
  const uint64_t room = used < limits_.max_output_bytes ? limits_.max_output_bytes - used : 0;
  const size_t take = Utf8Prefix(utf8, static_cast<size_t>(std::min<uint64_t>(room, utf8.size())));
  if (take > 0) {
    sink_.Text(utf8.substr(0, take));
    text_since_end_ = true;
    outcome_->bytes_out += take;
  }
  if (take < utf8.size()) Cancel(0, kReasonOutput);
  return !Stopped(depth);
}

void Context::EndOfStream() {
  if (!text_since_end_) return;
  text_since_end_ = false;
  sink_.EndOfStream();
}

void Context::AddProduced(uint64_t n) {
  outcome_->bytes_out += n;
  decompressed_ += n;
  if (outcome_->bytes_out > limits_.max_output_bytes) Cancel(0, kReasonOutput);
  CheckRatios();
}

void Context::CheckRatios() {
  // Outer containers first: a bomb nested in a top-level archive stops the item.
  for (const RatioFrame* f : frames_) {
    const uint64_t produced = decompressed_ - f->decompressed_at_start_;
    if (produced < limits_.ratio_floor) continue;
    const double consumed = static_cast<double>(std::max<uint64_t>(f->consumed_, 1));
    if (static_cast<double>(produced) > limits_.max_ratio * consumed) {
      Cancel(f->depth_, kReasonRatio);
      return;
    }
  }
}

bool Context::AddMember() {
  ++outcome_->members;
  if (outcome_->members > limits_.max_entries) {
    Cancel(0, kReasonEntries);
    return false;
  }
  return true;
}

void Context::SetEncrypted() { outcome_->encrypted = true; }

void Context::SetContentDate(unsigned depth, int64_t unix_seconds) {
  if (depth == 0 && !outcome_->content_date) outcome_->content_date = unix_seconds;
}

Context::RatioFrame::RatioFrame(Context& ctx, unsigned depth)
    : ctx_(ctx), depth_(depth), decompressed_at_start_(ctx.decompressed_) {
  ctx_.frames_.push_back(this);
}

Context::RatioFrame::~RatioFrame() { ctx_.frames_.pop_back(); }

}  // namespace custos::extract
