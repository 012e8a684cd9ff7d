#include "custos/service/log.h"

#include "custos/base/mutex.h"

namespace custos::service {

spdlog::logger& Log(const char* component) {
  // Guards spdlog's registry between the look-up and the registration.
  static Mutex mu;
  MutexLock lock(mu);
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
