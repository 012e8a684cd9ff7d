// The HMAC key behind Detection::hashes: 32 random bytes generated on first use into
// the state folder, mode 0600, never written to the inventory. With the key, the
// same value can be recognised across files and scans; without it, a stored hash
// tells nothing about the value.
#pragma once

#include <string>

#include "custos/base/status.h"

namespace custos::inventory {

// File name of the key inside the state folder.
inline constexpr const char* kKeyFileName = "hmac.key";
inline constexpr size_t kKeyBytes = 32;

// Reads `state_dir`/hmac.key, or creates it (and `state_dir`, mode 0700) with
// getrandom(2) bytes when missing. Race-safe: two processes creating it at once end
// up with the same key. Refuses a key file that is not a regular file of kKeyBytes
// bytes, or that group or others may read or write.
Result<std::string> LoadOrCreateKey(const std::string& state_dir);

// A short public fingerprint of the key (16 hex digits of HMAC-SHA256(key, label)),
// safe to store: it tells which key made a hash, not the key.
std::string KeyId(const std::string& key);

}  // namespace custos::inventory
