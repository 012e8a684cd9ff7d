// The version of text extraction. Bump it when extraction changes what text it yields
// (a new format, a fixed decoder, another bound): the next incremental scan then
// searches again every item it searched before (see inventory::KeysForScan).
#pragma once

namespace custos::extract {

inline constexpr int kVersion = 1;

}  // namespace custos::extract
