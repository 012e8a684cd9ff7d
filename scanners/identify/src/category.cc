// Category mapping: libmagic MIME type (and description) -> interface-spec category.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "custos/base/ascii.h"
#include "custos/identify/identifier.h"

namespace custos::identify {
namespace {

using namespace std::string_view_literals;

bool In(std::string_view m, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), m) != set.end();
}
bool Has(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }
bool HasAny(std::string_view s, std::initializer_list<std::string_view> ps) {
  return std::any_of(ps.begin(), ps.end(), [&](std::string_view p) { return Has(s, p); });
}

bool IsBiometric(std::string_view m, std::string_view d) {
  return m.starts_with("application/x-iso19794") || m.starts_with("application/x-icao-lds") ||
         In(m, {"image/x-wsq", "image/wsq", "application/x-ansi-nist-itl",
                "application/x-ansi-nist", "application/x-ebts"}) ||
         HasAny(d, {"(biometric)", "ISO/IEC 19794", "Format Minutiae Record",
                    "Wavelet Scalar Quantization", "ANSI/NIST-ITL"});
}

bool IsEncrypted(std::string_view m, std::string_view d) {
  return In(m, {"application/pgp-encrypted", "application/x-age-encrypted", "application/x-luks",
                "application/x-bitlocker", "application/x-openssl-encrypted",
                "application/x-ansible-vault", "application/x-pgp-encrypted"}) ||
         HasAny(d, {"LUKS encrypted", "PGP symmetric", "PGP RSA encrypted", "PGP encrypted",
                    "GPG symmetrically encrypted", "GPG encrypted", "openssl enc'd data",
                    "age encrypted", "BitLocker", "VeraCrypt", "TrueCrypt", "Keepass password",
                    "KeePass"});
}

bool IsVideo(std::string_view m, std::string_view d) {
  if (m.starts_with("video/")) return true;
  if (In(m, {"application/vnd.rn-realmedia", "application/vnd.rn-realmedia-vbr", "application/mxf",
             "application/x-matroska", "application/vnd.ms-asf"})) {
    return true;
  }
  // Formats libmagic names without a video MIME type.
  return m == "application/octet-stream" && HasAny(d, {"MPEG transport stream", "JVT NAL sequence",
                                                       "H.264 video", "HEVC", "(CCTV export)"});
}

bool IsEmail(std::string_view m, std::string_view d) {
  return In(m, {"message/rfc822", "message/news", "application/mbox", "application/vnd.ms-outlook",
                "message/x-emlx"}) ||
         HasAny(d, {"Microsoft Outlook Message", "RFC 822 mail", "Outlook Express"});
}

bool IsDocument(std::string_view m, std::string_view d) {
  if (m.starts_with("application/vnd.openxmlformats-officedocument.") ||
      m.starts_with("application/vnd.oasis.opendocument.") ||
      m.starts_with("application/vnd.ms-word") || m.starts_with("application/vnd.ms-excel") ||
      m.starts_with("application/vnd.ms-powerpoint") || m.starts_with("application/vnd.apple.") ||
      m.starts_with("application/vnd.sun.xml.")) {
    return true;
  }
  if (In(m, {"application/pdf",
             "application/postscript",
             "application/msword",
             "application/rtf",
             "text/rtf",
             "application/vnd.ms-office",
             "application/epub+zip",
             "application/vnd.visio",
             "application/vnd.ms-visio.drawing.main+xml",
             "application/x-mspublisher",
             "application/vnd.ms-publisher",
             "application/vnd.wordperfect",
             "application/x-hwp",
             "application/x-mobipocket-ebook",
             "application/vnd.ms-xpsdocument",
             "application/oxps",
             "application/vnd.ms-project",
             "application/x-abiword",
             "application/vnd.lotus-1-2-3",
             "application/x-dvi"})) {
    return true;
  }
  // Compound Document File (OLE2) containers named by libmagic's description.
  return (m == "application/cdfv2" || m == "application/x-ole-storage") &&
         HasAny(d, {"Microsoft Word", "Microsoft Excel", "Microsoft PowerPoint", "Microsoft Office",
                    "Microsoft Visio", "Microsoft Publisher"});
}

bool IsArchive(std::string_view m) {
  return In(m, {"application/zip",
                "application/x-zip-compressed",
                "application/x-tar",
                "application/gzip",
                "application/x-gzip",
                "application/x-bzip2",
                "application/x-bzip",
                "application/x-xz",
                "application/x-7z-compressed",
                "application/x-rar",
                "application/vnd.rar",
                "application/x-rar-compressed",
                "application/zstd",
                "application/x-zstd",
                "application/x-cpio",
                "application/x-lzip",
                "application/x-lzma",
                "application/x-lz4",
                "application/x-lzop",
                "application/x-compress",
                "application/x-arj",
                "application/x-lha",
                "application/x-lzh-compressed",
                "application/x-archive",
                "application/java-archive",
                "application/vnd.android.package-archive",
                "application/x-iso9660-image",
                "application/x-debian-package",
                "application/vnd.debian.binary-package",
                "application/x-rpm",
                "application/x-xar",
                "application/vnd.ms-cab-compressed",
                "application/x-ms-cab-compressed",
                "application/x-stuffit",
                "application/x-stuffitx",
                "application/x-ace-compressed",
                "application/x-zoo",
                "application/x-alz-compressed",
                "application/x-brotli",
                "application/x-squashfs",
                "application/x-gtar",
                "application/x-ustar",
                "application/x-shar",
                "application/x-apple-diskimage"});
}

bool IsDatabase(std::string_view m, std::string_view d) {
  return In(m, {"application/vnd.sqlite3", "application/x-sqlite3", "application/x-dbf",
                "application/x-dbase", "application/x-msaccess", "application/vnd.ms-access",
                "application/x-dbm", "application/x-gdbm", "application/x-berkeley-db",
                "application/x-ms-sdf", "application/x-firebird", "application/x-hdf5",
                "application/x-hdf"}) ||
         HasAny(d, {"SQLite", "Berkeley DB", "Microsoft Access Database", "Microsoft Jet DB",
                    "dBase", "GNU dbm", "GDBM", "MySQL", "PostgreSQL", "LMDB", "Firebird",
                    "Interbase", "FoxPro", "Paradox", "Extensible storage engine"});
}

bool IsExecutableBinary(std::string_view m) {
  return In(m, {"application/x-executable",
                "application/x-sharedlib",
                "application/x-pie-executable",
                "application/x-dosexec",
                "application/x-mach-binary",
                "application/x-msdownload",
                "application/vnd.microsoft.portable-executable",
                "application/x-elf",
                "application/x-object",
                "application/x-coff",
                "application/x-coffexec",
                "application/x-java-applet",
                "application/wasm",
                "application/x-msi",
                "application/x-ms-ne-executable",
                "application/x-ms-installer",
                "application/x-bytecode.python",
                "application/x-mach-o-executable",
                "application/x-dex",
                "application/x-java-vm"});
}

bool IsScript(std::string_view m, std::string_view d) {
  return m.starts_with("text/x-script") ||
         In(m, {"text/x-shellscript", "text/x-python", "text/x-perl", "text/x-ruby", "text/x-php",
                "text/x-lua", "text/x-tcl", "text/x-awk", "text/x-msdos-batch",
                "application/x-shellscript", "application/x-sh"}) ||
         (Has(d, "script") && Has(d, "executable"));
}

bool IsTextual(std::string_view m) {
  return m.starts_with("text/") ||
         In(m, {"application/json", "application/xml", "application/javascript",
                "application/x-javascript", "application/ecmascript", "application/x-yaml",
                "application/yaml", "application/sql", "application/csv", "application/x-ndjson",
                "application/x-subrip", "application/x-wine-extension-ini",
                "application/x-httpd-php", "application/x-ruby", "application/x-perl",
                "application/x-sh", "application/x-shellscript"});
}

}  // namespace

Category CategoryFor(std::string_view mime, std::string_view description, uint32_t mode) {
  const std::string m = AsciiLowercase(mime);
  if (m.empty() || m == "application/x-empty" || m == "inode/x-empty") return Category::kOther;
  if (IsBiometric(m, description)) return Category::kBiometric;
  if (IsEncrypted(m, description)) return Category::kEncrypted;
  if (IsVideo(m, description)) return Category::kVideo;
  if (m.starts_with("image/")) return Category::kImage;
  if (m.starts_with("audio/")) return Category::kAudio;
  if (IsEmail(m, description)) return Category::kEmail;
  if (IsDocument(m, description)) return Category::kDocument;
  if (IsDatabase(m, description)) return Category::kDatabase;
  if (IsArchive(m)) return Category::kArchive;
  if (IsExecutableBinary(m)) return Category::kExecutable;
  if (IsTextual(m) || IsScript(m, description)) {
    const bool executable_bit = (mode & 0111) != 0;
    return executable_bit && IsScript(m, description) ? Category::kExecutable : Category::kText;
  }
  return Category::kOther;
}

}  // namespace custos::identify
