// Which resolved addresses the resolver may use, and its TTL cache (time is
// passed in, so nothing here sleeps).

#include "actors/address_policy.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace cluster;
using namespace std::chrono_literals;

namespace {

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;

} // namespace

BOOST_AUTO_TEST_SUITE(address_policy)

BOOST_AUTO_TEST_CASE(literals_are_recognised_strictly) {
  BOOST_TEST(is_literal_ip("192.0.2.10"));
  BOOST_TEST(is_literal_ip("0.0.0.0"));
  BOOST_TEST(is_literal_ip("2001:db8::5"));
  BOOST_TEST(is_literal_ip("::1"));
  BOOST_TEST(is_literal_ip("fe80::1%eth0"));
  BOOST_TEST(is_literal_ip("::ffff:10.0.0.1"));
  // Names, and forms only inet_aton would take, go through a lookup.
  BOOST_TEST(!is_literal_ip("localhost"));
  BOOST_TEST(!is_literal_ip("builder.local"));
  BOOST_TEST(!is_literal_ip("10.1"));
  BOOST_TEST(!is_literal_ip("256.1.1.1"));
  BOOST_TEST(!is_literal_ip(" 10.0.0.1"));
  BOOST_TEST(!is_literal_ip("[::1]"));
  BOOST_TEST(!is_literal_ip("fe80::1%"));
  BOOST_TEST(!is_literal_ip("10.0.0.1%eth0"));
  BOOST_TEST(!is_literal_ip(""));
}

BOOST_AUTO_TEST_CASE(loopback_is_rejected) {
  BOOST_TEST(mentions(rejected_reason("127.0.0.1"), "loopback"));
  BOOST_TEST(mentions(rejected_reason("127.255.255.254"), "127.0.0.0/8"));
  BOOST_TEST(mentions(rejected_reason("::1"), "loopback"));
  // A loopback in IPv4-mapped clothing is still loopback.
  BOOST_TEST(mentions(rejected_reason("::ffff:127.0.0.1"), "loopback"));
  BOOST_TEST(rejected_reason("128.0.0.1").empty());
  BOOST_TEST(rejected_reason("126.255.255.255").empty());
  BOOST_TEST(rejected_reason("::2").empty());
}

BOOST_AUTO_TEST_CASE(docker_bridge_is_rejected_and_its_neighbours_are_not) {
  BOOST_TEST(mentions(rejected_reason("172.17.0.1"), "Docker bridge"));
  BOOST_TEST(mentions(rejected_reason("172.17.255.255"), "172.17.0.0/16"));
  BOOST_TEST(rejected_reason("172.16.255.255").empty());
  BOOST_TEST(rejected_reason("172.18.0.1").empty());
}

BOOST_AUTO_TEST_CASE(link_local_is_rejected) {
  BOOST_TEST(mentions(rejected_reason("169.254.1.2"), "link-local"));
  BOOST_TEST(rejected_reason("169.253.1.2").empty());
  BOOST_TEST(rejected_reason("169.255.1.2").empty());
  BOOST_TEST(mentions(rejected_reason("fe80::1"), "fe80::/10"));
  BOOST_TEST(mentions(rejected_reason("fe80::1%2"), "link-local"));
  BOOST_TEST(mentions(rejected_reason("febf:ffff::1"), "link-local"));
  BOOST_TEST(rejected_reason("fec0::1").empty());
  BOOST_TEST(rejected_reason("fe7f::1").empty());
}

BOOST_AUTO_TEST_CASE(unspecified_is_rejected) {
  BOOST_TEST(mentions(rejected_reason("0.0.0.0"), "unspecified"));
  BOOST_TEST(mentions(rejected_reason("::"), "unspecified"));
  BOOST_TEST(mentions(rejected_reason("::ffff:0.0.0.0"), "unspecified"));
  BOOST_TEST(rejected_reason("0.0.0.1").empty());
}

BOOST_AUTO_TEST_CASE(ordinary_addresses_are_fine_and_garbage_is_not) {
  BOOST_TEST(rejected_reason("192.0.2.1").empty());
  BOOST_TEST(rejected_reason("10.0.0.5").empty());
  BOOST_TEST(rejected_reason("2001:db8::1").empty());
  BOOST_TEST(rejected_reason("builder") == "not an IP address");
  BOOST_TEST(rejected_reason("") == "not an IP address");
}

BOOST_AUTO_TEST_CASE(pick_prefers_the_first_usable_ipv4) {
  auto c = pick_address({"2001:db8::1", "127.0.0.1", "192.0.2.1",
                         "192.0.2.2"});
  BOOST_TEST(c.address == "192.0.2.1");
  BOOST_REQUIRE_EQUAL(c.rejected.size(), 1u);
  BOOST_TEST(c.rejected[0].address == "127.0.0.1");
  BOOST_TEST(mentions(c.rejected[0].reason, "loopback"));
}

BOOST_AUTO_TEST_CASE(pick_takes_ipv6_when_no_ipv4_is_usable) {
  auto c = pick_address({"fe80::1%2", "172.17.0.2", "2001:db8::7",
                         "2001:db8::8"});
  BOOST_TEST(c.address == "2001:db8::7");
  BOOST_TEST(c.rejected.size() == 2u);
}

BOOST_AUTO_TEST_CASE(pick_reports_every_rejection_when_nothing_is_usable) {
  auto c = pick_address({"127.0.0.1", "::1", "169.254.3.4"});
  BOOST_TEST(c.address.empty());
  BOOST_REQUIRE_EQUAL(c.rejected.size(), 3u);
  auto text = describe(c.rejected);
  BOOST_TEST(text
             == "127.0.0.1 is loopback (127.0.0.0/8), ::1 is loopback (::1), "
                "169.254.3.4 is link-local (169.254.0.0/16)");
  BOOST_TEST(pick_address({}).address.empty());
  BOOST_TEST(describe({}).empty());
}

BOOST_AUTO_TEST_CASE(host_keys_ignore_case_and_one_trailing_dot) {
  BOOST_TEST(host_key("Builder.LOCAL.") == "builder.local");
  BOOST_TEST(host_key("builder") == "builder");
  BOOST_TEST(host_key(".") == ".");
}

BOOST_AUTO_TEST_CASE(cache_serves_an_entry_until_its_ttl_has_passed) {
  address_cache cache{30s};
  BOOST_TEST(!cache.get("builder", t0));
  cache.put("builder", "192.0.2.1", "dns", t0);
  auto hit = cache.get("builder", t0 + 29999ms);
  BOOST_REQUIRE(hit);
  BOOST_TEST(hit->address == "192.0.2.1");
  BOOST_TEST(hit->method == "dns");
  BOOST_TEST(bool(cache.get("BUILDER.", t0 + 1s)));
  BOOST_TEST(!cache.get("builder", t0 + 30s));
  BOOST_TEST(cache.size() == 0u); // the stale entry was dropped
}

BOOST_AUTO_TEST_CASE(cache_put_replaces_and_restarts_the_ttl) {
  address_cache cache{10s};
  cache.put("gpu.local", "192.0.2.1", "mdns", t0);
  cache.put("gpu.local", "192.0.2.9", "mdns", t0 + 8s);
  auto hit = cache.get("gpu.local", t0 + 15s);
  BOOST_REQUIRE(hit);
  BOOST_TEST(hit->address == "192.0.2.9");
  BOOST_TEST(cache.size() == 1u);
}

BOOST_AUTO_TEST_CASE(cache_forgets_only_the_address_it_holds) {
  address_cache cache{60s};
  cache.put("builder", "192.0.2.1", "dns", t0);
  // A failure reported for an older address must not drop a newer one.
  BOOST_TEST(!cache.forget("builder", "192.0.2.99"));
  BOOST_TEST(bool(cache.get("builder", t0 + 1s)));
  BOOST_TEST(!cache.forget("other", "192.0.2.1"));
  BOOST_TEST(cache.forget("Builder", "192.0.2.1"));
  BOOST_TEST(!cache.get("builder", t0 + 1s));
}

BOOST_AUTO_TEST_CASE(cache_with_zero_ttl_keeps_nothing) {
  address_cache cache{0ms};
  cache.put("builder", "192.0.2.1", "dns", t0);
  BOOST_TEST(!cache.get("builder", t0));
  BOOST_TEST(cache.size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
