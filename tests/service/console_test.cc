// The review console's pieces without a server: sessions and their timeouts, the limit
// of failed logins, tokens, escaping, forms and cookies, paths shown by root.
#include "console.h"

#include <catch2/catch.hpp>

using namespace custos::service::console;

TEST_CASE("console: a session ends after its idle timeout, after 12 hours, or at logout") {
  Sessions sessions(900);
  const std::string token = sessions.Create({"dpo", 1001}, 1000);
  REQUIRE(token.size() == 64);
  auto s = sessions.Find(token, 1100);
  REQUIRE(s);
  CHECK(s->actor.name == "dpo");
  CHECK(s->actor.uid == 1001);
  CHECK(s->csrf.size() == 64);
  CHECK(s->csrf != token);
  // Each request moves the idle deadline; 12 hours end it whatever happens.
  for (double t = 1900; t < 1000 + 12 * 3600; t += 800) REQUIRE(sessions.Find(token, t));
  CHECK_FALSE(sessions.Find(token, 1000 + 12 * 3600 + 1));
  CHECK_FALSE(sessions.Find(token, 1000 + 12 * 3600 + 2));  // and it is gone

  const std::string idle = sessions.Create({"dpo", 1001}, 5000);
  CHECK(sessions.Find(idle, 5899));
  CHECK_FALSE(sessions.Find(idle, 5899 + 901));
  const std::string out = sessions.Create({"dpo", 1001}, 5000);
  sessions.Remove(out);
  CHECK_FALSE(sessions.Find(out, 5001));
  // Unknown, malformed and empty tokens.
  CHECK_FALSE(sessions.Find(std::string(64, '0'), 5001));
  CHECK_FALSE(sessions.Find("", 5001));
  CHECK_FALSE(sessions.Find(out + "0", 5001));
}

TEST_CASE("console: failed logins are delayed more each time, five block the address a while") {
  LoginLimiter limiter;
  CHECK(limiter.Blocked("10.0.0.1", 0) == 0);
  CHECK(limiter.Failed("10.0.0.1", 0) == 1);
  CHECK(limiter.Failed("10.0.0.1", 10) == 2);
  CHECK(limiter.Failed("10.0.0.1", 20) == 3);
  CHECK(limiter.Failed("10.0.0.1", 30) == 4);
  CHECK(limiter.Blocked("10.0.0.1", 31) == 0);
  CHECK(limiter.Failed("10.0.0.1", 40) == 5);
  CHECK(limiter.Blocked("10.0.0.1", 41) == Approx(LoginLimiter::kWindow - 41));
  CHECK(limiter.Blocked("10.0.0.2", 41) == 0);  // per address
  CHECK(limiter.Failed("10.0.0.1", 50) == 5);   // at most 5 s
  // The window passes: the address may try again, from a clean slate.
  CHECK(limiter.Blocked("10.0.0.1", LoginLimiter::kWindow + 1) == 0);
  CHECK(limiter.Failed("10.0.0.1", LoginLimiter::kWindow + 2) == 1);
}

TEST_CASE("console: tokens are random hex and compared in full") {
  const std::string a = RandomToken(32), b = RandomToken(32);
  CHECK(a.size() == 64);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != b);
  CHECK(SameToken(a, a));
  CHECK_FALSE(SameToken(a, b));
  CHECK_FALSE(SameToken(a, a.substr(0, 63)));
  CHECK_FALSE(SameToken("", ""));
}

TEST_CASE("console: text is escaped for HTML, raw bytes and control characters included") {
  CHECK(Html("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  CHECK(Html(std::string("bad\xff\n", 5)) == "bad\\xff\\x0a");
  CHECK(UrlEncode("no-cards &x=1/é") == "no-cards%20%26x%3D1%2F%C3%A9");
}

TEST_CASE("console: forms, queries and cookies are parsed as browsers send them") {
  auto f = ParseForm("csrf=ab12&note=owner+told%2C+fixing&empty=&flag&note2=%zz");
  CHECK(f["csrf"] == "ab12");
  CHECK(f["note"] == "owner told, fixing");
  CHECK(f["empty"].empty());
  CHECK(f.count("flag") == 1);
  CHECK(f["note2"] == "%zz");
  auto c = ParseCookies("custos_session=abc; other=1;custos_login= def ");
  CHECK(c["custos_session"] == "abc");
  CHECK(c["custos_login"] == "def");
  CHECK(c["other"] == "1");
}

TEST_CASE("console: paths are shown by root name and relative path") {
  std::vector<custos::config::RootConfig> roots(2);
  roots[0].name = "cctv";
  roots[0].path = "/srv/cctv";
  roots[1].name = "exports";
  roots[1].path = "/srv/cctv/exports";
  CHECK(ShownPath(roots, "/srv/cctv/cam1/a.mp4") == "<b>cctv</b>: cam1/a.mp4");
  CHECK(ShownPath(roots, "/srv/cctv/exports/b.mp4") == "<b>exports</b>: b.mp4");
  CHECK(ShownPath(roots, "/srv/cctv2/c.mp4") == "/srv/cctv2/c.mp4");
  CHECK(ShownPath(roots, "/srv/cctv/<x>.txt") == "<b>cctv</b>: &lt;x&gt;.txt");
  CHECK(RootOf(roots, "/srv/other") == nullptr);
}
