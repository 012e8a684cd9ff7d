// Helpers for the scan tests: a sink that keeps what the scan emits (and can refuse,
// throw at, or raise a cancel flag on an item), and the options of a scan of one root.
#pragma once

#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "custos/scan/scan.h"

namespace custos::scan::testing {

class Collect : public Sink {
 public:
  Status Emit(Item&& item) override {
    ++calls;
    if (calls == fail_at) {
      if (by_throwing) throw std::runtime_error("sink broke");
      return Status::Io("writing the output: No space left on device");
    }
    items.push_back(std::move(item));
    if (cancel != nullptr) *cancel = true;
    return Status::Ok();
  }
  const Item* Find(const std::string& path) const {
    for (const Item& i : items) {
      if (i.path == path) return &i;
    }
    return nullptr;
  }

  // Set before the scan.
  size_t fail_at = 0;                   // refuses the item with this number (1-based), 0: none
  bool by_throwing = false;             // ... by throwing rather than by returning an error
  std::atomic<bool>* cancel = nullptr;  // raised by each item kept

  std::vector<Item> items;
  size_t calls = 0;
};

// A scan of `root` with the built-in detectors and no policy.
inline ScanOptions Options(const std::string& root, unsigned threads) {
  ScanOptions o;
  o.roots = {root};
  o.threads = threads;
  auto engine = detect::Engine::Create({});
  REQUIRE(engine.ok());
  o.detectors = engine.value();
  return o;
}

}  // namespace custos::scan::testing
