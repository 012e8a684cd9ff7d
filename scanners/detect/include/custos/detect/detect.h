// Detection: personal data in text, found in one pass, validated, counted, masked.
//
// All detectors run together. A prefilter (one RE2 alternation of every detector's
// pattern, or of its context words where a context word is required) finds the lines
// that may hold something; only those lines are confirmed with the individual
// patterns (narrowed by an RE2::Set), validated (Luhn, mod 97, ICAO check digits, ...)
// and checked for context words in a window before the value. One span of text is
// never counted by two detectors: overlapping candidates go to the more specific one.
//
// Raw values never leave a Scanner: it keeps 64-bit hashes of normalised values (to
// count distinct occurrences) and masked samples only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "custos/base/item.h"
#include "custos/base/status.h"

namespace re2 {
class RE2;
}

namespace custos::detect {

// What a validator sees: the matched text and a little of what surrounds it.
struct Candidate {
  std::string_view value;
  std::string_view before;  // up to kContextWindow bytes before the value
  std::string_view after;   // up to kContextWindow bytes after the value
};

// Returns true when the candidate is a real occurrence; sets `*normalized` to the
// canonical form used to count distinct values (digits only, upper case, ...).
using ValidateFn = bool (*)(const Candidate& c, std::string* normalized);
// Returns a sample from which the value cannot be recovered.
using MaskFn = std::string (*)(std::string_view value);

struct Variant {
  std::string pattern;            // RE2 syntax, byte (Latin-1) semantics, ASCII \b
  bool needs_context = false;     // only counted with a context word before it
  ValidateFn validate = nullptr;  // overrides the detector's validator when set
};

struct DetectorDef {
  std::string id;
  std::vector<Variant> variants;
  std::vector<std::string> context;  // context words, case-insensitive, whole words
  ValidateFn validate = nullptr;     // null: every match counts
  MaskFn mask = nullptr;             // null: keep the last 2 letters/digits
  int priority = 50;                 // lower wins an overlap
};

// The registry of built-in detectors (the interface spec's, in builtin.cc): a new
// detector is a row there. Everything else (the policy loader's check of detector
// ids, `custos detectors`, the engine) learns the ids from here.
const std::vector<DetectorDef>& BuiltinDetectors();
bool IsBuiltinDetector(std::string_view id);

// The validators a custom detector may name (`validate:` in a policy file), in the
// order messages list them: luhn, mod97, none.
struct NamedValidator {
  std::string_view name;
  ValidateFn validate;
};
const std::vector<NamedValidator>& CustomValidators();
// The validator of that name, or null.
ValidateFn FindCustomValidator(std::string_view name);

// A detector declared in a policy file.
struct CustomDetectorSpec {
  std::string id;
  std::string pattern;
  std::vector<std::string> context;
  std::string validate = "none";  // a name of CustomValidators()
};

// Bytes before a value searched for a context word.
inline constexpr size_t kContextWindow = 80;

// Compiled detectors: immutable and shared by all worker threads.
class Engine {
 public:
  // The built-in detectors and `custom` (each checked now: a bad pattern is an error).
  static Result<std::shared_ptr<const Engine>> Create(
      const std::vector<CustomDetectorSpec>& custom = {});
  // Exactly the detectors `defs` (e.g. BuiltinDetectors() and more), compiled on
  // first use like the others.
  static std::shared_ptr<const Engine> FromDefinitions(std::vector<DetectorDef> defs);
  ~Engine();
  // Version of the detector set: changes whenever patterns or validation change, so
  // that stored results can be invalidated.
  static constexpr int kVersion = 2;

  // The detectors are compiled on first use (thread-safe), so that a scan that reads
  // no file (an unchanged tree) does not pay for it. Custom detectors are checked by
  // Create already; should the whole set still fail to compile, error() says why and
  // the compiled set is empty.
  struct Compiled;
  const Compiled& compiled() const;
  const std::string& error() const;  // after compiled(); the items say "detectors: ERROR"

 private:
  struct Lazy;
  Engine();
  std::unique_ptr<Lazy> lazy_;
};

// Per-thread, per-item state: feed the text of one item, then Take() the detections.
class Scanner {
 public:
  // `hmac_key`: when not empty, Detection::hashes holds HMAC-SHA256 of the values.
  explicit Scanner(std::shared_ptr<const Engine> engine, std::string hmac_key = {});
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // Appends text. Values may straddle calls; each is found exactly once.
  void Feed(std::string_view text);
  // The current stream (document, archive member) ends: flush, forget the carry.
  void EndOfStream();
  // Flushes and returns the detections of the item, sorted by detector id, then
  // resets for the next item.
  std::vector<Detection> Take();
  // Forgets the item being fed without searching what is left of it (after an error in
  // the middle of it, e.g. a validator that threw): the next Feed starts a new item.
  void Reset();
  // Why nothing can be detected (the detector set failed to compile); empty normally.
  const std::string& error() const;

 private:
  bool Ready();  // compiles the engine on first use; false when it failed
  struct State;
  std::unique_ptr<State> s_;
};

// Validators, exposed for tests and custom detectors.
bool Luhn(std::string_view digits);
bool IbanMod97(std::string_view compact_iban);
int IcaoCheckDigit(std::string_view field);

}  // namespace custos::detect
