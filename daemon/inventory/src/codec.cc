#include "codec.h"

#include <cstdint>

namespace custos::inventory::codec {

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

bool GetVarint(std::string_view& in, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const auto b = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    r |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = r;
      return true;
    }
  }
  return false;
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Lower-case hex to bytes behind a 0x00 marker; anything else is kept as it is behind
// a 0xff marker, so that every string round-trips.
std::string FromHex(std::string_view hex) {
  std::string out;
  if (hex.size() % 2 != 0) return "\xff" + std::string(hex);
  out.reserve(hex.size() / 2 + 1);
  out += '\0';
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return "\xff" + std::string(hex);
    out += static_cast<char>(hi << 4 | lo);
  }
  return out;
}

}  // namespace

std::string PackStrings(const std::vector<std::string>& list) {
  std::string out;
  for (const std::string& s : list) {
    PutVarint(out, s.size());
    out += s;
  }
  return out;
}

std::vector<std::string> UnpackStrings(std::string_view in) {
  std::vector<std::string> out;
  while (!in.empty()) {
    uint64_t n = 0;
    if (!GetVarint(in, &n) || n > in.size()) break;
    out.emplace_back(in.substr(0, n));
    in.remove_prefix(n);
  }
  return out;
}

std::string PackHexList(const std::vector<std::string>& hex) {
  std::vector<std::string> raw;
  raw.reserve(hex.size());
  for (const std::string& h : hex) raw.push_back(FromHex(h));
  return PackStrings(raw);
}

std::vector<std::string> UnpackHexList(std::string_view packed) {
  std::vector<std::string> out;
  for (const std::string& e : UnpackStrings(packed)) {
    if (e.empty()) continue;
    if (e[0] == '\xff') {
      out.push_back(e.substr(1));
    } else {
      out.push_back(ToHex(std::string_view(e).substr(1)));
    }
  }
  return out;
}

std::string PackAcl(const std::vector<AclEntry>& acl) {
  std::string out;
  for (const AclEntry& e : acl) {
    out += static_cast<char>(e.tag);
    for (int i = 0; i < 4; ++i) out += static_cast<char>((e.id >> (8 * i)) & 0xff);
    out += static_cast<char>(e.perms);
  }
  return out;
}

std::vector<AclEntry> UnpackAcl(std::string_view in) {
  std::vector<AclEntry> out;
  while (in.size() >= 6) {
    AclEntry e;
    e.tag = static_cast<AclEntry::Tag>(static_cast<unsigned char>(in[0]) % 3);
    e.id = 0;
    for (int i = 0; i < 4; ++i)
      e.id |= static_cast<uint32_t>(static_cast<unsigned char>(in[1 + i])) << (8 * i);
    e.perms = static_cast<unsigned char>(in[5]);
    out.push_back(e);
    in.remove_prefix(6);
  }
  return out;
}

std::string ToHex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

}  // namespace custos::inventory::codec
