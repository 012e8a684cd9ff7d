#include "custos/base/status.h"

#include <cstring>

namespace custos {

Status Status::FromErrno(const std::string& what, int err) {
  StatusCode code = StatusCode::kIoError;
  if (err == EACCES || err == EPERM) code = StatusCode::kPermissionDenied;
  if (err == ENOENT) code = StatusCode::kNotFound;
  return Status(code, what + ": " + std::strerror(err));
}

}  // namespace custos
