// Encrypted containers: age, OpenPGP (binary and armored, from gpg and hand-made
// public-key packets), LUKS1/LUKS2, OpenSSL enc.
#include "identify_helpers.h"

namespace custos::test {
namespace {

TEST_CASE("age file is encrypted", "[identify][encrypted]") {
  TempDir dir;
  const std::string age =
      "age-encryption.org/v1\n"
      "-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
      "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n"
      "--- Vn+54jqiiUCE+WZcEVY3f1sqHjlu/z1LCQ/T7Xm7qI0\n" +
      std::string("\xEE\x19\x2E\x11\x9C\x00\x47\xAB\x01\x02", 10) + std::string(64, '\x7F');
  const Item item = IdentifyBytes(dir, "secret.age", age);
  CHECK(item.mime == "application/x-age-encrypted");
  CHECK(item.category == Category::kEncrypted);
}

TEST_CASE("gpg output (binary and armored) is encrypted", "[identify][encrypted]") {
  TempDir dir;
  WriteFile(dir / "plain.txt", "attack at dawn\n");
  for (const bool armor : {false, true}) {
    const std::string out = dir / (armor ? "msg.asc" : "msg.gpg");
    std::vector<std::string> argv = {"gpg",   "--homedir",       dir.path(), "--batch",
                                     "--yes", "--pinentry-mode", "loopback", "--passphrase",
                                     "x",     "--symmetric",     "-o",       out};
    if (armor) argv.insert(argv.begin() + 1, "--armor");
    argv.push_back(dir / "plain.txt");
    MustRun(argv, "gnupg");
    const Item item = IdentifyPath(out);
    INFO(out << ": " << item.description);
    CHECK(item.mime == "application/pgp-encrypted");
    CHECK(item.category == Category::kEncrypted);
  }
  // gpg may have started an agent for this home directory: stop it.
  if (HaveTool("gpgconf")) Run({"gpgconf", "--homedir", dir.path(), "--kill", "all"});
}

TEST_CASE("OpenPGP public-key encrypted session key packets are encrypted",
          "[identify][encrypted]") {
  TempDir dir;
  // Old format tag 1 with a 2-byte length (0x85), version 3, key id, RSA (1).
  const std::string old_format = std::string("\x85\x01\x0C\x03", 4) +
                                 "\x12\x34\x56\x78\x9A\xBC\xDE\xF0" +
                                 std::string("\x01\x08\x00", 3) + std::string(300, '\x5C');
  Item item = IdentifyBytes(dir, "a.pgp", old_format);
  CHECK(item.mime == "application/pgp-encrypted");
  CHECK(item.category == Category::kEncrypted);
  // New format tag 1 (0xC1), one-byte length, version 3, key id, ECDH (18).
  const std::string new_format = std::string("\xC1\x5E\x03", 3) +
                                 "\x12\x34\x56\x78\x9A\xBC\xDE\xF0" +
                                 std::string("\x12\x01\x07\x40", 4) + std::string(300, '\x5C');
  item = IdentifyBytes(dir, "b.pgp", new_format);
  CHECK(item.mime == "application/pgp-encrypted");
  CHECK(item.category == Category::kEncrypted);
}

TEST_CASE("LUKS1 and LUKS2 headers are encrypted", "[identify][encrypted]") {
  TempDir dir;
  std::string luks1 = Bytes("LUKS\xBA\xBE") + Be(1, 2);
  luks1 += std::string("aes") + std::string(29, '\0');          // cipher name
  luks1 += std::string("xts-plain64") + std::string(21, '\0');  // cipher mode
  luks1 += std::string("sha256") + std::string(26, '\0');       // hash spec
  luks1 += Be(4096, 4) + Be(64, 4) + std::string(20, '\x33') + std::string(32, '\x44') +
           Be(100000, 4) + std::string("8f8a7c52-2f0b-4a7e-9d0e-0c3d2a1b4c5d") +
           std::string(4, '\0');
  luks1.resize(4096, '\0');
  Item item = IdentifyBytes(dir, "disk1.img", luks1);
  CHECK(item.mime == "application/x-luks");
  CHECK(item.category == Category::kEncrypted);

  std::string luks2 = Bytes("LUKS\xBA\xBE") + Be(2, 2) + Be(16384, 8) + Be(1, 8);
  luks2.resize(4096, '\0');
  luks2 += "{\"keyslots\":{}}";
  luks2.resize(16384, '\0');
  item = IdentifyBytes(dir, "disk2.img", luks2);
  CHECK(item.mime == "application/x-luks");
  CHECK(item.category == Category::kEncrypted);
}

TEST_CASE("OpenSSL enc output is encrypted", "[identify][encrypted]") {
  TempDir dir;
  const Item item = IdentifyBytes(
      dir, "x.enc",
      "Salted__" + std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8) + std::string(64, '\x9D'));
  CHECK(item.mime == "application/x-openssl-encrypted");
  CHECK(item.category == Category::kEncrypted);
}

}  // namespace
}  // namespace custos::test
