// The review console in a real browser: Debian's headless Chromium, driven by
// playwright-core from npm (installed into the build tree, never a browser download)
// through console.mjs, with JavaScript off. Screenshots of every page are kept in
// BUILD/console-screenshots. Skipped only where Chromium or playwright-core cannot be
// had. Takes a little over a minute: one session is left idle past the idle timeout.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "console/site.h"

using custos::test::ConsoleSite;
using custos::test::Run;

TEST_CASE("a reviewer logs in, acknowledges a finding and is named, in headless Chromium") {
  if (::access("/usr/bin/chromium", X_OK) != 0) CUSTOS_SKIP("/usr/bin/chromium not installed");
  if (!custos::test::HaveTool("node")) CUSTOS_SKIP("node not installed");
  const std::string build = CUSTOS_BUILD_DIR;
  const auto install =
      Run({custos::test::SourceDir() + "/tests/console/install-playwright", build}, 300);
  if (install.exit_code == 77) CUSTOS_SKIP("playwright-core cannot be installed: " + install.err);
  INFO(install.err);
  REQUIRE(install.exit_code == 0);

  std::string why_not;
  // The shortest idle timeout custos.yaml allows: the script lets one session sit idle
  // past it.
  ConsoleSite site(&why_not, {.idle_timeout = "1min", .inventory = "", .more_files = 0});
  if (!why_not.empty()) CUSTOS_SKIP(why_not);
  INFO(site.failure());
  REQUIRE(site.failure().empty());

  const std::string shots = build + "/console-screenshots";
  std::filesystem::remove_all(shots);
  const auto r = Run({"env", "CONSOLE_URL=" + site.url(), "CONSOLE_USER=" + site.reviewer(),
                      "CONSOLE_OUTSIDER=" + site.outsider(), "CONSOLE_PASSWORD=" + site.password(),
                      "CONSOLE_SHOTS=" + shots, "CONSOLE_IDLE_SECONDS=60",
                      "CONSOLE_PLANTED=" + nlohmann::json(custos::test::PlantedValues()).dump(),
                      "PLAYWRIGHT_DIR=" + build + "/console-node", "node",
                      custos::test::SourceDir() + "/tests/console/console.mjs"},
                     300);
  INFO(r.out);
  INFO(r.err);
  INFO(site.Log());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("FAIL") == std::string::npos);
  // A screenshot of each page.
  for (const char* page :
       {"01-login", "03-overview", "04-findings", "06-finding", "07-finding-acknowledged",
        "08-coverage", "09-scans", "10-policies", "12-idle-session-ended"}) {
    INFO(page);
    CHECK(std::filesystem::file_size(shots + "/" + page + ".png") > 1000);
  }
  // The decision is the reviewer's, in the service's log too; no password there.
  const std::string log = site.Log();
  CHECK(log.find(site.reviewer() + " (uid " + std::to_string(site.reviewer_uid()) +
                 ") acknowledged finding") != std::string::npos);
  CHECK(log.find(site.password()) == std::string::npos);
  for (const std::string& v : custos::test::PlantedValues()) {
    CHECK(log.find(v) == std::string::npos);
  }
}
