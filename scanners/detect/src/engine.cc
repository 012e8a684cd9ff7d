// The detector set: the built-in detectors (builtin.cc) and a policy's custom ones,
// compiled on first use into one prefilter, one RE2::Set and a pattern per variant.
#include <re2/re2.h>
#include <re2/set.h>

#include <cctype>
#include <mutex>
#include <string>
#include <vector>

#include "compiled.h"
#include "custos/detect/detect.h"
#include "validators.h"

namespace custos::detect {

using namespace internal;

namespace {

RE2::Options ByteOptions(int64_t max_mem) {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  o.set_log_errors(false);
  o.set_max_mem(max_mem);
  return o;
}

// A regex for "any of these words", case-insensitive, each word bounded where it
// starts or ends with a letter or digit. '_' bounds a word too, and the blanks inside
// a word may be '_', '-' or nothing, so that keys of exports match: "nhs_number",
// "date-of-birth", "dateOfBirth". (A '_' bound is matched, not asserted: the match
// then takes one byte more on that side.)
std::string WordsPattern(const std::vector<std::string>& words) {
  std::string p = "(?i)(?:";
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (i) p += '|';
    const bool alnum_start = !w.empty() && std::isalnum(static_cast<unsigned char>(w.front()));
    const bool alnum_end = !w.empty() && std::isalnum(static_cast<unsigned char>(w.back()));
    if (alnum_start) p += "(?:\\b|_)";
    for (size_t k = 0; k < w.size(); ++k) {
      if (w[k] == ' ') {
        p += "[ _\\-]?";
      } else {
        p += RE2::QuoteMeta(std::string_view(w).substr(k, 1));
      }
    }
    if (alnum_end) p += "(?:\\b|_)";
  }
  return p + ")";
}

}  // namespace

struct Engine::Lazy {
  std::vector<DetectorDef> defs;
  std::once_flag once;
  std::unique_ptr<Compiled> compiled;
  std::string error;
};

namespace {
Result<std::unique_ptr<Engine::Compiled>> CompileDefs(const std::vector<DetectorDef>& defs);
}  // namespace

Engine::Engine() : lazy_(std::make_unique<Lazy>()) {}
Engine::~Engine() = default;

const Engine::Compiled& Engine::compiled() const {
  std::call_once(lazy_->once, [this] {
    auto c = CompileDefs(lazy_->defs);
    if (c.ok()) {
      lazy_->compiled = std::move(c.value());
    } else {
      lazy_->error = c.status().message();
      lazy_->compiled = std::make_unique<Compiled>();
    }
  });
  return *lazy_->compiled;
}

const std::string& Engine::error() const {
  (void)compiled();
  return lazy_->error;
}

Result<std::shared_ptr<const Engine>> Engine::Create(
    const std::vector<CustomDetectorSpec>& custom) {
  std::vector<DetectorDef> defs = BuiltinDetectors();
  const size_t builtin = defs.size();
  for (const CustomDetectorSpec& c : custom) {
    DetectorDef d;
    d.id = c.id;
    d.variants.push_back({c.pattern, !c.context.empty(), nullptr});
    d.context = c.context;
    d.validate = FindCustomValidator(c.validate);
    if (d.validate == nullptr) return Status::Invalid("detector " + c.id + ": unknown validator");
    d.mask = MaskLast2;
    d.priority = 30;
    defs.push_back(std::move(d));
  }
  // Custom detectors come from policy files: a bad one is an error now, each checked on
  // its own (cheap), not at the first file read.
  for (size_t i = builtin; i < defs.size(); ++i) {
    auto one = CompileDefs({defs[i]});
    if (!one.ok()) return one.status();
  }
  return FromDefinitions(std::move(defs));
}

std::shared_ptr<const Engine> Engine::FromDefinitions(std::vector<DetectorDef> defs) {
  auto engine = std::shared_ptr<Engine>(new Engine());
  engine->lazy_->defs = std::move(defs);
  return engine;
}

namespace {

Result<std::unique_ptr<Engine::Compiled>> CompileDefs(const std::vector<DetectorDef>& defs) {
  using Compiled = Engine::Compiled;
  auto compiled = std::make_unique<Compiled>();
  compiled->set = std::make_unique<RE2::Set>(ByteOptions(32 << 20), RE2::UNANCHORED);
  std::string prefilter;
  auto add_alt = [&](const std::string& p) {
    if (!prefilter.empty()) prefilter += '|';
    prefilter += "(?:" + p + ")";
  };
  for (size_t i = 0; i < defs.size(); ++i) {
    const DetectorDef& def = defs[i];
    Compiled::Det det;
    det.id = def.id;
    det.mask = def.mask ? def.mask : MaskLast2;
    det.priority = def.priority;
    bool context_in_prefilter = false;
    if (!def.context.empty()) {
      det.context = std::make_unique<RE2>(WordsPattern(def.context), ByteOptions(1 << 20));
      if (!det.context->ok()) return Status::Invalid(def.id + ": bad context words");
    }
    for (const Variant& v : def.variants) {
      Compiled::Var var;
      var.det = i;
      var.re = std::make_unique<RE2>(v.pattern, ByteOptions(4 << 20));
      if (!var.re->ok()) {
        return Status::Invalid("detector " + def.id + ": bad pattern: " + var.re->error());
      }
      var.needs_context = v.needs_context && det.context;
      var.validate = v.validate ? v.validate : (def.validate ? def.validate : ValidateNone);
      std::string err;
      if (compiled->set->Add(v.pattern, &err) < 0) {
        return Status::Invalid("detector " + def.id + ": bad pattern: " + err);
      }
      // A value that needs a context word is only worth confirming near one: the
      // prefilter looks for the word instead of the (weak) value pattern.
      if (var.needs_context) {
        if (!context_in_prefilter) add_alt(WordsPattern(def.context));
        context_in_prefilter = true;
      } else {
        add_alt(v.pattern);
      }
      compiled->vars.push_back(std::move(var));
    }
    compiled->dets.push_back(std::move(det));
  }
  if (!compiled->set->Compile()) return Status::Invalid("detector set too large to compile");
  RE2::Options po = ByteOptions(64 << 20);
  po.set_never_capture(true);
  compiled->prefilter = std::make_unique<RE2>(prefilter, po);
  if (!compiled->prefilter->ok()) {
    return Status::Invalid("detector prefilter: " + compiled->prefilter->error());
  }
  return compiled;
}

}  // namespace

}  // namespace custos::detect
