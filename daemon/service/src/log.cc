#include "custos/service/log.h"

#include <mutex>

namespace custos::service {

spdlog::logger& Log(const char* component) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  if (auto existing = spdlog::get(component)) return *existing;
  auto logger = spdlog::default_logger()->clone(component);
  spdlog::register_logger(logger);
  return *logger;
}

void SetLogLevel(const std::string& level) {
  const auto l = spdlog::level::from_str(level);
  spdlog::set_level(l);  // every registered logger
  spdlog::default_logger()->set_level(l);
}

}  // namespace custos::service
