// The resolver actor on a real scheduler, with real lookups that never leave
// this machine: the test machine's DNS server is not on loopback, so every
// name used here is answered without it (IP literals, /etc/hosts' localhost,
// `.local` with no Avahi daemon, RFC 6761 `.invalid`, numeric shorthand and
// over-long labels that glibc refuses before opening a socket; the last two
// were checked with strace).

#include "actors/resolver.hpp"
#include "transport/name_lookup.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

using namespace cluster;
using namespace std::chrono_literals;

namespace {

// Resolves through the real getaddrinfo to 192.0.2.1 (inet_aton's a.b.c
// form) without consulting /etc/hosts or any DNS server.
const std::string numeric_name = "192.0.513";

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

long long ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::steady_clock::now() - start)
    .count();
}

// With a running Avahi daemon a `.local` query would be multicast on the
// LAN, which tests must not do.
bool avahi_may_run() {
  return ::access("/run/avahi-daemon/socket", F_OK) == 0;
}

caf::actor_system_config& configure(caf::actor_system_config& cfg,
                                    bool one_thread) {
  cfg.add_message_types<caf::id_block::cluster>();
  if (one_thread)
    cfg.set("scheduler.max-threads", 1);
  return cfg;
}

struct fixture {
  caf::actor_system_config caf_cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  std::shared_ptr<transport::name_lookup> lookup;
  resolver_actor resolver;

  explicit fixture(std::chrono::milliseconds ttl = 60s,
                   bool one_thread = false)
    : sys{configure(caf_cfg, one_thread)}, self{sys} {
    lookup = std::make_shared<transport::name_lookup>();
    resolver = spawn_resolver(sys, ttl, 5s, lookup);
  }

  ~fixture() {
    caf::anon_send_exit(resolver, caf::exit_reason::user_shutdown);
  }

  resolved_address resolve(const std::string& host,
                           const std::string& fallback = {}) {
    resolved_address out;
    self->request(resolver, 10s, atom::resolve_v, host, fallback)
      .receive([&](resolved_address& a) { out = std::move(a); },
               [&](caf::error& err) {
                 BOOST_FAIL("resolver did not answer: " << to_string(err));
               });
    return out;
  }

  // Holds the only scheduler thread, so that everything sent meanwhile is
  // in the resolver's mailbox before it runs: concurrency made certain.
  template <class Send>
  void while_scheduler_held(Send send) {
    BOOST_REQUIRE_EQUAL(sys.scheduler().num_workers(), 1u);
    std::promise<void> entered;
    std::promise<void> release;
    auto released = release.get_future().share();
    sys.spawn([&entered, released] {
      entered.set_value();
      released.wait();
    });
    entered.get_future().wait();
    send();
    release.set_value();
  }

  std::vector<resolved_address> receive_answers(std::size_t n) {
    std::vector<resolved_address> out;
    for (std::size_t i = 0; i < n; ++i)
      self->receive([&](resolved_address& a) { out.push_back(std::move(a)); },
                    caf::after(10s) >> [&] {
                      BOOST_FAIL("an answer is missing");
                    });
    return out;
  }
};

struct one_scheduler_thread : fixture {
  one_scheduler_thread() : fixture(60s, true) {}
};

struct short_ttl : fixture {
  short_ttl() : fixture(150ms) {}
};

} // namespace

BOOST_AUTO_TEST_SUITE(resolver)

BOOST_FIXTURE_TEST_CASE(ip_literals_are_used_as_given, fixture) {
  auto a = resolve("192.0.2.10", "192.0.2.99");
  BOOST_TEST(a.address == "192.0.2.10");
  BOOST_TEST(a.method == "configured");
  BOOST_TEST(a.error.empty());
  a = resolve("2001:db8::5");
  BOOST_TEST(a.address == "2001:db8::5");
  BOOST_TEST(a.method == "configured");
  // Written in the configuration, loopback is what the user meant.
  a = resolve("127.0.0.1");
  BOOST_TEST(a.address == "127.0.0.1");
  BOOST_TEST(a.method == "configured");
  BOOST_TEST(lookup->lookups_started() == 0u);
}

BOOST_FIXTURE_TEST_CASE(localhost_is_rejected_and_the_fallback_is_used,
                        fixture) {
  auto a = resolve("localhost", "192.0.2.7");
  BOOST_TEST(a.host == "localhost");
  BOOST_TEST(a.address == "192.0.2.7");
  BOOST_TEST(a.method == "fallback");
  BOOST_TEST(a.error.empty());
  // A configured fallback is taken as given, even a loopback one.
  a = resolve("localhost", "127.0.0.1");
  BOOST_TEST(a.address == "127.0.0.1");
  BOOST_TEST(a.method == "fallback");
  BOOST_TEST(lookup->lookups_started() == 2u); // a fallback is not cached
}

BOOST_FIXTURE_TEST_CASE(localhost_without_fallback_says_loopback, fixture) {
  auto a = resolve("localhost");
  BOOST_TEST(a.address.empty());
  BOOST_TEST(a.method.empty());
  BOOST_TEST_MESSAGE(a.error);
  BOOST_TEST(mentions(a.error, "'localhost'"));
  BOOST_TEST(mentions(a.error, "127.0.0.1 is loopback (127.0.0.0/8)"));
  BOOST_TEST(mentions(a.error, "dns: every address was rejected"));
  BOOST_TEST(mentions(a.error, "mdns: not asked"));
  BOOST_TEST(mentions(a.error, "no fallback IP configured"));
}

BOOST_FIXTURE_TEST_CASE(a_fallback_that_is_not_an_ip_is_an_error, fixture) {
  auto a = resolve("localhost", "other-host");
  BOOST_TEST(a.address.empty());
  BOOST_TEST(mentions(a.error, "'other-host' is not an IP address"));
}

BOOST_FIXTURE_TEST_CASE(local_name_without_avahi_falls_back, fixture) {
  if (avahi_may_run()) {
    BOOST_TEST_MESSAGE("skipped: an Avahi daemon may run here and would "
                       "send mDNS queries onto the network");
    return;
  }
  auto started = std::chrono::steady_clock::now();
  auto a = resolve("no-such-node.local", "192.0.2.8");
  BOOST_TEST(a.address == "192.0.2.8");
  BOOST_TEST(a.method == "fallback");
  a = resolve("No-Such-Node.LOCAL.");
  BOOST_TEST(a.address.empty());
  BOOST_TEST_MESSAGE(a.error);
  BOOST_TEST(mentions(a.error, "'No-Such-Node.LOCAL.'"));
  BOOST_TEST(mentions(a.error, "mdns: no Avahi daemon answered"));
  BOOST_TEST(mentions(a.error, "dns: not asked"));
  // No daemon is noticed within milliseconds, not at the deadline.
  BOOST_TEST(ms_since(started) < 2000);
}

BOOST_FIXTURE_TEST_CASE(invalid_names_are_refused_without_asking_dns,
                        fixture) {
  auto a = resolve("no-such-host.invalid", "192.0.2.9");
  BOOST_TEST(a.address == "192.0.2.9");
  BOOST_TEST(a.method == "fallback");
  a = resolve("no-such-host.invalid");
  BOOST_TEST(a.address.empty());
  BOOST_TEST(mentions(a.error, "'no-such-host.invalid'"));
  BOOST_TEST(mentions(a.error, "never resolve (RFC 6761)"));
}

BOOST_FIXTURE_TEST_CASE(a_getaddrinfo_failure_is_reported, fixture) {
  // A 64-character label: glibc refuses it before building a query.
  auto host = std::string(64, 'a') + ".example";
  auto a = resolve(host);
  BOOST_TEST(a.address.empty());
  BOOST_TEST_MESSAGE(a.error);
  BOOST_TEST(mentions(a.error, "dns: getaddrinfo: "));
  BOOST_TEST(mentions(a.error, "no fallback IP configured"));
  a = resolve(host, "192.0.2.10");
  BOOST_TEST(a.method == "fallback");
}

BOOST_FIXTURE_TEST_CASE(an_answer_is_cached_until_forgotten, fixture) {
  auto a = resolve(numeric_name);
  BOOST_TEST(a.address == "192.0.2.1");
  BOOST_TEST(a.method == "dns");
  a = resolve(numeric_name, "192.0.2.99");
  BOOST_TEST(a.address == "192.0.2.1");
  BOOST_TEST(a.method == "cache");
  BOOST_TEST(lookup->lookups_started() == 1u);
  // A failure reported for some other address changes nothing.
  self->send(resolver, atom::forget_v, numeric_name, std::string{"192.0.2.50"});
  a = resolve(numeric_name);
  BOOST_TEST(a.method == "cache");
  self->send(resolver, atom::forget_v, numeric_name, std::string{"192.0.2.1"});
  a = resolve(numeric_name);
  BOOST_TEST(a.address == "192.0.2.1");
  BOOST_TEST(a.method == "dns");
  BOOST_TEST(lookup->lookups_started() == 2u);
}

BOOST_FIXTURE_TEST_CASE(an_answer_expires_after_the_ttl, short_ttl) {
  BOOST_TEST(resolve(numeric_name).method == "dns");
  BOOST_TEST(resolve(numeric_name).method == "cache");
  std::this_thread::sleep_for(200ms);
  BOOST_TEST(resolve(numeric_name).method == "dns");
  BOOST_TEST(lookup->lookups_started() == 2u);
}

BOOST_FIXTURE_TEST_CASE(concurrent_requests_share_one_lookup,
                        one_scheduler_thread) {
  while_scheduler_held([&] {
    for (int i = 0; i < 8; ++i)
      self->send(resolver, atom::resolve_v, numeric_name, std::string{});
  });
  for (auto& a : receive_answers(8)) {
    BOOST_TEST(a.address == "192.0.2.1");
    BOOST_TEST(a.method == "dns");
  }
  BOOST_TEST(lookup->lookups_started() == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_shared_failed_lookup_uses_each_callers_fallback,
                        one_scheduler_thread) {
  while_scheduler_held([&] {
    self->send(resolver, atom::resolve_v, std::string{"localhost"},
               std::string{"192.0.2.21"});
    self->send(resolver, atom::resolve_v, std::string{"LOCALHOST"},
               std::string{});
    self->send(resolver, atom::resolve_v, std::string{"localhost."},
               std::string{"192.0.2.23"});
  });
  auto answers = receive_answers(3);
  BOOST_TEST(lookup->lookups_started() == 1u);
  int fallbacks = 0, errors = 0;
  for (auto& a : answers) {
    if (a.method == "fallback") {
      ++fallbacks;
      BOOST_TEST((a.address == "192.0.2.21" || a.address == "192.0.2.23"));
    } else {
      ++errors;
      BOOST_TEST(a.host == "LOCALHOST");
      BOOST_TEST(mentions(a.error, "loopback"));
    }
  }
  BOOST_TEST(fallbacks == 2);
  BOOST_TEST(errors == 1);
}

BOOST_AUTO_TEST_CASE(name_lookup_ends_each_lookup_once_by_its_deadline) {
  std::mutex mutex;
  std::condition_variable all_done;
  int done = 0, answered = 0, timed_out = 0;
  transport::name_lookup_options options;
  options.dns_threads = 1;
  transport::name_lookup lookup{options};
  const int n = 100;
  // Deadlines already due: each ends either by its answer or by the timer,
  // never both, never neither.
  for (int i = 0; i < n; ++i)
    lookup.lookup(numeric_name, std::chrono::steady_clock::now(),
                  [&](transport::lookup_result r) {
                    std::lock_guard<std::mutex> guard{mutex};
                    ++done;
                    if (r.addresses == std::vector<std::string>{"192.0.2.1"})
                      ++answered;
                    else if (mentions(r.error, "dns: no answer within"))
                      ++timed_out;
                    all_done.notify_all();
                  });
  std::unique_lock<std::mutex> lock{mutex};
  BOOST_REQUIRE(all_done.wait_for(lock, 10s, [&] { return done >= n; }));
  lock.unlock();
  std::this_thread::sleep_for(100ms); // a second call would show up here
  lock.lock();
  BOOST_TEST(done == n);
  BOOST_TEST(answered + timed_out == n);
}

BOOST_AUTO_TEST_CASE(name_lookup_shuts_down_promptly_and_stays_silent) {
  std::atomic<int> calls{0};
  auto lookup = std::make_unique<transport::name_lookup>();
  for (int i = 0; i < 50; ++i) {
    lookup->lookup(numeric_name, std::chrono::steady_clock::now() + 10s,
                   [&](transport::lookup_result) { ++calls; });
    lookup->lookup("x" + std::to_string(i) + ".invalid",
                   std::chrono::steady_clock::now() + 10s,
                   [&](transport::lookup_result) { ++calls; });
  }
  auto before = std::chrono::steady_clock::now();
  lookup.reset();
  BOOST_TEST(ms_since(before) < 500);
  auto after_destruction = calls.load();
  std::this_thread::sleep_for(100ms);
  BOOST_TEST(calls.load() == after_destruction);
  BOOST_TEST(after_destruction <= 100);
}

BOOST_AUTO_TEST_SUITE_END()
