// A review console to test: users and a group made for the test (removed after), a
// self-signed certificate, a tree with planted values, and a real custosd (as root)
// serving the console on a free loopback port after one scan of the tree.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "support/support.h"

namespace custos::test {

// The raw values planted in the scanned tree: no page, URL or log line may hold one,
// as printed or without its separators.
const std::vector<std::string>& PlantedValues();
// `text` with spaces, dashes and dots removed.
std::string Compact(const std::string& text);

// What a test asks of its site.
struct ConsoleSiteOptions {
  std::string idle_timeout = "15min";  // console.idle_timeout, as custos.yaml writes it
  std::string inventory;               // custos.yaml's inventory; empty: the default file
  int more_files = 0;                  // srv/share/many/fN.txt, each readable by everyone
};

class ConsoleSite {
 public:
  // Sets up everything; `why_not` is set (and nothing is made) when the test cannot run
  // here (not root, a tool missing); failure() tells what went wrong after that.
  explicit ConsoleSite(std::string* why_not, ConsoleSiteOptions options = {});
  ~ConsoleSite();
  ConsoleSite(const ConsoleSite&) = delete;
  ConsoleSite& operator=(const ConsoleSite&) = delete;

  const std::string& url() const { return url_; }  // "https://127.0.0.1:PORT"
  const std::string& group() const { return group_; }
  const std::string& reviewer() const { return reviewer_; }  // a member of group()
  const std::string& outsider() const { return outsider_; }  // not a member
  const std::string& password() const { return password_; }  // both users'
  uid_t reviewer_uid() const { return reviewer_uid_; }
  const TempDir& dir() const { return dir_; }
  std::string Log() const;
  const std::string& failure() const { return failure_; }

 private:
  bool Setup(std::string* failure);

  TempDir dir_;
  int lock_fd_ = -1;
  std::string group_, reviewer_, outsider_, password_;
  uid_t reviewer_uid_ = 0;
  bool made_group_ = false, made_reviewer_ = false, made_outsider_ = false;
  bool installed_pam_ = false;
  pid_t pid_ = -1;
  std::string url_;
  ConsoleSiteOptions options_;
  std::string failure_;
};

}  // namespace custos::test
