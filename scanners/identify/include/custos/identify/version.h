// The version of identification: what stored results of an item depend on besides
// its bytes. Bump it when identification (custom magic, categories, content dates)
// changes what it finds: the next incremental scan then identifies every item again
// (see inventory::KeysForScan), and reads again only what that affects.
#pragma once

namespace custos::identify {

inline constexpr int kVersion = 1;

}  // namespace custos::identify
