#include "actors/resolver.hpp"

#include "actors/address_policy.hpp"
#include "transport/log.hpp"
#include "transport/name_lookup.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <unordered_map>
#include <vector>

namespace cluster {

namespace {

using steady = std::chrono::steady_clock;

// One request waiting for a lookup that several requests share.
struct waiter {
  std::string host;
  std::string fallback_ip;
  caf::typed_response_promise<resolved_address> promise;
};

struct resolver_state {
  static inline const char* name = "resolver";
  std::shared_ptr<transport::name_lookup> lookup;
  std::chrono::milliseconds lookup_timeout{0};
  address_cache cache{std::chrono::milliseconds{0}};
  // Requests by host_key() whose lookup is in flight: one lookup per host.
  std::unordered_map<std::string, std::vector<waiter>> pending;
};

using resolver_pointer = resolver_actor::stateful_pointer<resolver_state>;

resolved_address make_answer(std::string host, std::string address,
                             std::string method, std::string error = {}) {
  return {std::move(host), std::move(address), std::move(method),
          std::move(error)};
}

// Runs on a lookup thread: applying the policy there keeps the message to
// the actor small (one address or one reason).
resolved_address judge(const transport::lookup_result& r) {
  resolved_address verdict;
  verdict.host = r.host;
  verdict.method = r.method;
  if (r.addresses.empty()) {
    verdict.error = r.error;
  } else {
    auto choice = pick_address(r.addresses);
    verdict.address = choice.address;
    if (verdict.address.empty())
      verdict.error = r.method + ": every address was rejected: "
                      + describe(choice.rejected);
    else if (!choice.rejected.empty())
      transport::log(log_level::debug, "resolver: ", r.host, ": skipped ",
                     describe(choice.rejected));
  }
  // Say what the method we did not use would have done, so an error names
  // every method.
  if (verdict.address.empty())
    verdict.error += transport::name_lookup::is_mdns_name(r.host)
                       ? "; dns: not asked (.local names go to mDNS only)"
                       : "; mdns: not asked (only for .local names)";
  return verdict;
}

// Nothing usable was found for `w`: its fallback IP, taken as given, or an
// error that says everything we know.
resolved_address fall_back(const waiter& w, const std::string& why) {
  if (w.fallback_ip.empty())
    return make_answer(w.host, {}, {},
                       "no usable address for '" + w.host + "': " + why
                         + "; no fallback IP configured");
  if (!is_literal_ip(w.fallback_ip))
    return make_answer(w.host, {}, {},
                       "no usable address for '" + w.host + "': " + why
                         + "; the fallback '" + w.fallback_ip
                         + "' is not an IP address");
  transport::log(log_level::info, "resolver: ", w.host, ": ", why,
                 "; using the fallback IP ", w.fallback_ip);
  return make_answer(w.host, w.fallback_ip, "fallback");
}

void start_lookup(resolver_pointer self, const std::string& host) {
  auto& st = self->state;
  // The completion runs on a lookup thread and may outlive this actor: it
  // holds only the address and answers with a message.
  auto addr = self->address();
  st.lookup->lookup(host, steady::now() + st.lookup_timeout,
                    [addr](transport::lookup_result r) {
                      auto verdict = judge(r);
                      if (auto hdl = caf::actor_cast<resolver_actor>(addr))
                        caf::anon_send(hdl, atom::resolve_v,
                                       std::move(verdict));
                    });
}

resolver_actor::behavior_type
resolver(resolver_pointer self, std::chrono::milliseconds ttl,
         std::chrono::milliseconds lookup_timeout,
         std::shared_ptr<transport::name_lookup> lookup) {
  auto& st = self->state;
  st.lookup = std::move(lookup);
  st.lookup_timeout = lookup_timeout;
  st.cache = address_cache{ttl};
  return {
    [=](atom::resolve, std::string& host,
        std::string& fallback_ip) -> caf::result<resolved_address> {
      auto& st = self->state;
      // An address written in the configuration is what the user meant,
      // loopback included.
      if (is_literal_ip(host))
        return make_answer(host, host, "configured");
      if (host.empty())
        return fall_back({host, fallback_ip, {}}, "no host name given");
      if (auto hit = st.cache.get(host, steady::now()))
        return make_answer(host, hit->address, "cache");
      auto& waiters = st.pending[host_key(host)];
      waiters.push_back({host, std::move(fallback_ip),
                         self->make_response_promise<resolved_address>()});
      auto promise = waiters.back().promise;
      if (waiters.size() == 1)
        start_lookup(self, host);
      return promise;
    },
    [=](atom::forget, const std::string& host, const std::string& address) {
      if (self->state.cache.forget(host, address))
        transport::log(log_level::info, "resolver: forgot ", address, " of ",
                       host);
    },
    [=](atom::resolve, resolved_address& verdict) {
      auto& st = self->state;
      auto i = st.pending.find(host_key(verdict.host));
      if (i == st.pending.end())
        return; // nobody asked (or a stray message)
      auto waiters = std::move(i->second);
      st.pending.erase(i);
      if (!verdict.address.empty()) {
        transport::log(log_level::debug, "resolver: ", verdict.host, " -> ",
                       verdict.address, " (", verdict.method, ")");
        st.cache.put(verdict.host, verdict.address, verdict.method,
                     steady::now());
        for (auto& w : waiters)
          w.promise.deliver(
            make_answer(w.host, verdict.address, verdict.method));
        return;
      }
      for (auto& w : waiters)
        w.promise.deliver(fall_back(w, verdict.error));
    },
  };
}

} // namespace

resolver_actor spawn_resolver(caf::actor_system& sys,
                              std::chrono::milliseconds ttl,
                              std::chrono::milliseconds lookup_timeout,
                              std::shared_ptr<transport::name_lookup> lookup) {
  return sys.spawn(resolver, ttl, lookup_timeout, std::move(lookup));
}

} // namespace cluster
