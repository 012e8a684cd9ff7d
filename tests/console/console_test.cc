// The review console of a real custosd, over HTTPS with curl: login through PAM as a
// member of the console's group, the review forms, and what is refused (a wrong
// password, a non-member, a form without its CSRF token, a cookie after logout, too
// many failed logins, plain HTTP); the security headers and cookie attributes; no
// planted value on any page or in the log.
#include <catch2/catch.hpp>
#include <chrono>
#include <regex>
#include <set>

#include "console/site.h"
#include "support/pg_cluster.h"

using custos::test::ConsoleSite;
using custos::test::ReadFile;
using custos::test::Run;

namespace {

struct Reply {
  int status = 0;
  std::string headers;
  std::string body;
  double seconds = 0;
};

// One request with curl (certificate not checked: it is the test's own), cookies kept
// in `jar`.
class Client {
 public:
  Client(const ConsoleSite& site, const std::string& name)
      : site_(site),
        jar_(site.dir() / (name + ".jar")),
        out_(site.dir() / (name + ".out")),
        head_(site.dir() / (name + ".head")) {}

  Reply Get(const std::string& path) { return Do(path, {}); }
  Reply Post(const std::string& path, const std::string& form,
             std::vector<std::string> extra = {}) {
    extra.push_back("--data");
    extra.push_back(form);
    return Do(path, extra);
  }
  // The CSRF token of the last page read.
  std::string Csrf() const {
    std::smatch m;
    static const std::regex kField(R"re(name="csrf" value="([0-9a-f]+)")re");
    return std::regex_search(last_, m, kField) ? m[1].str() : std::string();
  }
  const std::string& jar() const { return jar_; }

 private:
  Reply Do(const std::string& path, std::vector<std::string> extra) {
    std::vector<std::string> argv = {"curl", "-sk", "--max-time", "30", "-c", jar_, "-b",
                                     jar_,   "-D",  head_,        "-o", out_, "-w", "%{http_code}"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(site_.url() + path);
    const auto start = std::chrono::steady_clock::now();
    const auto r = Run(argv, 60);
    Reply reply;
    reply.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    reply.status = std::atoi(r.out.c_str());
    reply.headers = ReadFile(head_);
    reply.body = ReadFile(out_);
    last_ = reply.body;
    return reply;
  }

  const ConsoleSite& site_;
  std::string jar_, out_, head_;
  std::string last_;
};

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void ExpectNoPlantedValue(const std::string& what, const std::string& text) {
  INFO(what);
  for (const std::string& v : custos::test::PlantedValues()) {
    CHECK_FALSE(Has(text, v));
    CHECK_FALSE(Has(custos::test::Compact(text), custos::test::Compact(v)));
  }
}

// Logs in on `client`; returns the answer to the form.
Reply LogIn(Client& client, const std::string& user, const std::string& password) {
  REQUIRE(client.Get("/login").status == 200);
  return client.Post("/login", "csrf=" + client.Csrf() + "&user=" + user + "&password=" + password);
}

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// The findings page's filters and pages, on a site whose inventory is `inventory`
// (empty: the default SQLite file): 64 findings (60 files readable by everyone, two
// more, and two holding card numbers), 50 a page.
void CheckFiltersAndPages(const std::string& inventory) {
  if (!custos::test::HaveTool("curl")) CUSTOS_SKIP("curl not installed");
  std::string why_not;
  ConsoleSite site(&why_not, {.inventory = inventory, .more_files = 60});
  if (!why_not.empty()) CUSTOS_SKIP(why_not);
  INFO(site.Log());
  INFO(site.failure());
  REQUIRE(site.failure().empty());
  Client c(site, "pager");
  REQUIRE(LogIn(c, site.reviewer(), site.password()).status == 303);
  const std::string row = "<tr><td><a href=\"/findings/";
  auto list = [&](const std::string& query) {
    Reply r = c.Get("/findings?" + query);
    INFO(query);
    CHECK(r.status == 200);
    ExpectNoPlantedValue(query, r.body);
    return r.body;
  };
  std::string page = list("");
  CHECK(Has(page, "<p>64 findings, 1-50 shown.</p>"));
  CHECK(Count(page, row) == 50);
  CHECK(Has(page, "page 1 of 2"));
  // The most severe first: the two card findings lead the first page.
  CHECK(page.find("sev-high") < page.find("sev-medium"));
  CHECK(Has(page, "&amp;page=2\">next</a>"));
  page = list("status=active&policy=&severity=&root=&age=&page=2");
  CHECK(Has(page, "<p>64 findings, 51-64 shown.</p>"));
  CHECK(Count(page, row) == 14);
  CHECK_FALSE(Has(page, "sev-high"));
  CHECK(Has(page, "page 2 of 2"));
  // Past the end: the last page.
  CHECK(Has(list("page=9"), "51-64 shown"));
  // Each filter, and filters together.
  page = list("severity=high");
  CHECK(Has(page, "<p>2 findings, 1-2 shown.</p>"));
  CHECK(Count(page, row) == 2);
  CHECK(Has(list("policy=share-private"), "<p>62 findings, 1-50 shown.</p>"));
  CHECK(Has(list("policy=no-cards&severity=medium"), "<p>0 findings.</p>"));
  CHECK(Has(list("root=shares&severity=medium&page=2"), "<p>62 findings, 51-62 shown.</p>"));
  CHECK(Has(list("root=elsewhere"), "<p>0 findings.</p>"));
  CHECK(Has(list("age=7"), "<p>0 findings.</p>"));  // all first seen today
  CHECK(Has(list("status=new&severity=high"), "<p>2 findings, 1-2 shown.</p>"));
  CHECK(Has(list("status=resolved"), "<p>0 findings.</p>"));
}

}  // namespace

TEST_CASE("the findings are filtered and paged by the inventory's query (SQLite)") {
  CheckFiltersAndPages("");
}

TEST_CASE("the findings are filtered and paged by the inventory's query (PostgreSQL)") {
  CUSTOS_SKIP_WITHOUT_PG();
  CheckFiltersAndPages(custos::test::PgCluster::Shared().NewDatabase());
}

TEST_CASE("login, review and refusals over HTTPS (curl)") {
  if (!custos::test::HaveTool("curl")) CUSTOS_SKIP("curl not installed");
  std::string why_not;
  ConsoleSite site(&why_not);
  if (!why_not.empty()) CUSTOS_SKIP(why_not);
  INFO(site.Log());
  INFO(site.failure());
  REQUIRE(site.failure().empty());

  Client c(site, "reviewer");
  // Nothing without a session but the login page; HTTPS only.
  Reply r = c.Get("/findings");
  CHECK(r.status == 303);
  CHECK(Has(r.headers, "Location: /login"));
  std::string plain = site.url();
  plain.replace(0, 5, "http");
  CHECK(Run({"curl", "-s", "--max-time", "10", plain + "/login"}).out.find("<form") ==
        std::string::npos);

  // The login page: strict headers, a form token in a cookie of its own.
  r = c.Get("/login");
  REQUIRE(r.status == 200);
  CHECK(Has(r.headers, "Content-Security-Policy: default-src 'none'; style-src 'self'"));
  CHECK(Has(r.headers, "frame-ancestors 'none'"));
  CHECK(Has(r.headers, "X-Frame-Options: DENY"));
  CHECK(Has(r.headers, "Strict-Transport-Security: "));
  CHECK(Has(r.headers, "Cache-Control: no-store"));
  CHECK(Has(r.headers, "HttpOnly; Secure; SameSite=Strict"));
  CHECK_FALSE(Has(r.body, "<script"));

  // A wrong password: refused, late.
  r = LogIn(c, site.reviewer(), "not-the-password");
  CHECK(r.status == 401);
  CHECK(r.seconds >= 0.9);
  CHECK(Has(r.body, "Wrong user name or password"));
  // A login form without its token.
  r = c.Post("/login", "user=" + site.reviewer() + "&password=" + site.password());
  CHECK(r.status == 403);
  // The right password of an account outside the group.
  Client outsider(site, "outsider");
  r = LogIn(outsider, site.outsider(), site.password());
  CHECK(r.status == 403);
  CHECK(Has(r.body, "not a member of the group " + site.group()));
  CHECK_FALSE(Has(r.headers, "custos_session="));

  // The member logs in: a session cookie, HttpOnly, Secure, SameSite=Strict.
  r = LogIn(c, site.reviewer(), site.password());
  REQUIRE(r.status == 303);
  std::smatch m;
  REQUIRE(std::regex_search(
      r.headers, m,
      std::regex(
          R"(Set-Cookie: custos_session=([0-9a-f]{64}); Path=/; HttpOnly; Secure; SameSite=Strict)")));
  const std::string session = m[1];

  // The findings, and one of them.
  r = c.Get("/findings");
  REQUIRE(r.status == 200);
  CHECK(Has(r.body, "<b>shares</b>: share/payroll.txt"));
  std::set<std::string> ids;
  const std::regex link(R"re(href="/findings/([0-9]+)")re");
  for (std::sregex_iterator it(r.body.begin(), r.body.end(), link), end; it != end; ++it) {
    ids.insert((*it)[1]);
  }
  REQUIRE(ids.size() >= 3);
  const std::string id = *ids.begin();
  r = c.Get("/findings?status=active&policy=no-cards&severity=high&root=shares&age=");
  REQUIRE(r.status == 200);
  CHECK(Has(r.body, "2 findings"));
  r = c.Get("/findings?severity=low");
  CHECK(Has(r.body, "0 findings"));

  r = c.Get("/findings/" + id);
  REQUIRE(r.status == 200);
  const std::string csrf = c.Csrf();
  REQUIRE(csrf.size() == 64);
  // A form without its token, or with another one, changes nothing.
  CHECK(c.Post("/findings/" + id + "/ack", "note=no+token").status == 403);
  CHECK(c.Post("/findings/" + id + "/ack", "csrf=" + std::string(64, 'a') + "&note=x").status ==
        403);
  CHECK_FALSE(Has(c.Get("/findings/" + id).body, "status-acknowledged"));
  // Acknowledged by the reviewer, who is named in the history.
  r = c.Post("/findings/" + id + "/ack", "csrf=" + csrf + "&note=owner+told");
  CHECK(r.status == 303);
  r = c.Get("/findings/" + id);
  CHECK(Has(r.body, "status-acknowledged"));
  CHECK(Has(r.body, site.reviewer() + " (uid " + std::to_string(site.reviewer_uid()) + ")"));
  CHECK(Has(r.body, "owner told"));
  // Excepted (reason and last day), and a note.
  const std::string other = *std::next(ids.begin());
  CHECK(c.Post("/findings/" + other + "/except",
               "csrf=" + csrf + "&reason=legal+hold+until+the+audit&until=2099-12-31&note=")
            .status == 303);
  r = c.Get("/findings/" + other);
  CHECK(Has(r.body, "status-excepted"));
  CHECK(Has(r.body, "legal hold until the audit, until 2099-12-31"));
  CHECK(c.Post("/findings/" + other + "/except", "csrf=" + csrf + "&reason=x&until=1999-01-01")
            .status == 400);
  CHECK(c.Post("/findings/" + other + "/note", "csrf=" + csrf + "&note=asked+HR").status == 303);
  CHECK(c.Post("/findings/999999/note", "csrf=" + csrf + "&note=x").status == 404);
  // A form with its token but sent from another site (its Origin) is refused too.
  CHECK(c.Post("/findings/" + other + "/note", "csrf=" + csrf + "&note=x",
               {"-H", "Origin: https://evil.example"})
            .status == 403);

  // Every page, and no planted value on any of them.
  for (const std::string& page :
       std::vector<std::string>{"/", "/findings", "/findings?status=", "/coverage", "/scans",
                                "/policies", "/findings/" + id, "/findings/" + other}) {
    r = c.Get(page);
    INFO(page);
    CHECK(r.status == 200);
    CHECK_FALSE(Has(r.body, "<script"));
    ExpectNoPlantedValue(page, r.body);
  }
  CHECK(Has(c.Get("/policies").body, "No payment card numbers on the shares"));
  CHECK(Has(c.Get("/scans").body, "complete"));
  CHECK(Has(c.Get("/scans").body, "Links not followed"));
  CHECK(c.Get("/console.css").status == 200);

  // Logout ends the session: its cookie, replayed, is refused.
  r = c.Get("/");
  CHECK(c.Post("/logout", "csrf=" + c.Csrf()).status == 303);
  const std::string replay = "custos_session=" + session;
  auto old = Run({"curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Cookie: " + replay,
                  site.url() + "/findings"});
  CHECK(old.out == "303");
  old = Run({"curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Cookie: " + replay,
             "--data", "csrf=" + csrf + "&note=after+logout",
             site.url() + "/findings/" + id + "/note"});
  CHECK(old.out == "401");

  // Failed logins from one address: after five within the window, even the right
  // password is refused.
  Client guesser(site, "guesser");
  int refused = 0;
  for (int i = 0; i < 4; ++i)
    refused += LogIn(guesser, site.reviewer(), "guess" + std::to_string(i)).status == 401;
  CHECK(refused >= 3);
  r = LogIn(guesser, site.reviewer(), site.password());
  CHECK(r.status == 429);
  CHECK(Has(r.body, "Too many failed logins"));

  // The log names the reviewer and the decisions, never a password or a planted value.
  const std::string log = site.Log();
  CHECK(Has(log, site.reviewer() + " (uid " + std::to_string(site.reviewer_uid()) +
                     ") acknowledged finding " + id));
  CHECK(Has(log, "failed login from 127.0.0.1"));
  CHECK_FALSE(Has(log, site.password()));
  CHECK_FALSE(Has(log, "owner told"));
  ExpectNoPlantedValue("the log", log);
}
