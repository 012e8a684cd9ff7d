// The state of one top-level extraction: limits and budgets, the sink, the outcome.
//
// Nesting depth: the top-level item is at depth 0; the members of a container at
// depth d are at depth d + 1. Hitting a limit either stops everything (output size,
// time, entries, file size, the ratio of the top-level container) or only the
// container or member it concerns (the ratio of a nested container or of one member):
// Cancel(d) stops all work at depth >= d until the container at depth d - 1 calls
// Resume(d - 1) after the member. The member size and depth limits just end or skip
// one member (Note).
// Not thread-safe: one per Extract() call.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "custos/extract/extract.h"

namespace custos::extract {

// The reasons recorded in Outcome::partial.
inline const SkipReason kReasonRatio{Skip::kLimitRatio};
inline const SkipReason kReasonDepth{Skip::kLimitDepth};
inline const SkipReason kReasonEntries{Skip::kLimitEntries};
inline const SkipReason kReasonOutput{Skip::kLimitOutput};
inline const SkipReason kReasonMemberSize{Skip::kLimitMemberSize};
inline const SkipReason kReasonFileSize{Skip::kLimitSize};
inline const SkipReason kReasonTime{Skip::kLimitTime};
inline const SkipReason kReasonInterrupted{Skip::kInterrupted};
inline const SkipReason kReasonEncrypted{Skip::kEncrypted};
inline const SkipReason kReasonDtd{Skip::kCorrupt, "DTD in XML part"};
inline const SkipReason kReasonXml{Skip::kCorrupt, "XML part"};
inline const SkipReason kReasonArchive{Skip::kCorrupt, "archive"};
inline const SkipReason kReasonPdf{Skip::kCorrupt, "PDF"};
inline const SkipReason kReasonPdfTruncated{Skip::kCorrupt, "PDF truncated"};
inline const SkipReason kReasonPdfPages{Skip::kCorrupt, "PDF page tree"};
inline const SkipReason kReasonEmail{Skip::kCorrupt, "e-mail"};

class Context {
 public:
  Context(const Limits& limits, TextSink& sink, Outcome* outcome);
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const Limits& limits() const { return limits_; }
  Outcome& outcome() { return *outcome_; }

  // True when work at `depth` must stop (see the file comment). Also enforces the
  // time limit and Limits::cancel.
  bool Stopped(unsigned depth);
  // Records `reason` in outcome.partial. The first reason wins, except that a limit or
  // "encrypted" replaces a "corrupt: ..." noted before (a damaged member does not make
  // the item partial the way a limit does; a bomb often looks damaged too).
  void Note(const SkipReason& reason);
  // Notes `reason` and stops all work at depth >= `depth` (0: the whole item).
  void Cancel(unsigned depth, const SkipReason& reason);
  // Called by the container at `depth` when one of its members is done: lifts a
  // cancellation of that member (or of anything below it).
  void Resume(unsigned depth);

  // Sends text to the sink (valid UTF-8, cut at the output limit on a character
  // boundary) and counts it. Returns !Stopped(depth).
  bool Emit(unsigned depth, std::string_view utf8);
  // Ends the current document or member (forwarded only when text came since the
  // last end).
  void EndOfStream();

  // Counts `n` decompressed (or decoded) bytes; enforces the output and ratio limits.
  // Text sent with Emit counts toward the output limit only.
  void AddProduced(uint64_t n);
  // Counts one container member (archive entry, MIME part, mbox message, document
  // part); false when the entries limit is hit (then everything stops).
  bool AddMember();
  void SetEncrypted();
  // Sets outcome.content_date for the top-level document (depth 0), first one wins.
  void SetContentDate(unsigned depth, int64_t unix_seconds);

  // While alive, the container at `depth` is checked against the ratio limit: bytes
  // decompressed since it started : compressed bytes its readers took (added to
  // *consumed(): the bytes of the top-level file read so far, or of the member).
  class RatioFrame {
   public:
    RatioFrame(Context& ctx, unsigned depth);
    ~RatioFrame();
    RatioFrame(const RatioFrame&) = delete;
    RatioFrame& operator=(const RatioFrame&) = delete;
    uint64_t* consumed() { return &consumed_; }

   private:
    friend class Context;
    Context& ctx_;
    const unsigned depth_;
    const uint64_t decompressed_at_start_;
    uint64_t consumed_ = 0;
  };

 private:
  static constexpr unsigned kNotCancelled = std::numeric_limits<unsigned>::max();

  void CheckRatios();

  const Limits& limits_;
  TextSink& sink_;
  Outcome* outcome_;
  std::chrono::steady_clock::time_point start_;
  unsigned cancel_depth_ = kNotCancelled;
  bool text_since_end_ = false;
  uint64_t decompressed_ = 0;
  std::vector<const RatioFrame*> frames_;  // outermost first
};

}  // namespace custos::extract
