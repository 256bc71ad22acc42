#include "transport/mdns_query.hpp"

#include "transport/log.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include <arpa/inet.h>
#include <dns_sd.h>
#include <net/if.h>
#include <poll.h>

namespace cluster::transport {

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Avahi's compat layer prints three warning lines on the first call unless
// this is set. Set it during static initialisation, while the process is
// most likely still single-threaded (setenv races with getenv elsewhere).
[[maybe_unused]] const bool avahi_quiet =
  ::setenv("AVAHI_COMPAT_NOWARN", "1", 0) == 0;

// open() promises 0 for success without exposing dns_sd.h to its callers.
static_assert(kDNSServiceErr_NoError == 0);

long long ms_between(steady::time_point a, steady::time_point b) {
  return std::chrono::duration_cast<milliseconds>(b - a).count();
}

} // namespace

struct mdns_query::state {
  struct query_context {
    state* owner = nullptr;
    int family = 0;  // 0: A, 1: AAAA
  };

  steady::time_point deadline;
  milliseconds settle{};
  std::mutex* mutex = nullptr;
  std::vector<std::string>* addresses = nullptr;  // guarded by *mutex
  DNSServiceRef refs[2] = {nullptr, nullptr};
  query_context contexts[2];
  bool answered[2] = {false, false};
  std::string failure;
  steady::time_point settle_until = steady::time_point::max();

  static void DNSSD_API on_record(DNSServiceRef, DNSServiceFlags flags,
                                  uint32_t if_index,
                                  DNSServiceErrorType error,
                                  const char* fullname, uint16_t rrtype,
                                  uint16_t, uint16_t rdlen, const void* rdata,
                                  uint32_t, void* context);
};

// Runs inside DNSServiceProcessResult on the mDNS thread.
void DNSSD_API mdns_query::state::on_record(
  DNSServiceRef, DNSServiceFlags flags, uint32_t if_index,
  DNSServiceErrorType error, const char* fullname, uint16_t rrtype, uint16_t,
  uint16_t rdlen, const void* rdata, uint32_t, void* context) {
  auto* q = static_cast<query_context*>(context);
  auto* m = q->owner;
  // A dying daemon reports an error with a NULL name; the ref is dead then.
  if (error != kDNSServiceErr_NoError || fullname == nullptr) {
    m->failure = "avahi-daemon went away during the query (error "
                 + std::to_string(error) + ")";
    return;
  }
  if ((flags & kDNSServiceFlagsAdd) == 0)
    return; // a Remove: nothing to add
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2] = {};
  std::string address;
  if (rrtype == kDNSServiceType_A && rdlen == 4) {
    ::inet_ntop(AF_INET, rdata, text, sizeof text);
    address = text;
  } else if (rrtype == kDNSServiceType_AAAA && rdlen == 16) {
    ::inet_ntop(AF_INET6, rdata, text, sizeof text);
    address = text;
    auto* b = static_cast<const unsigned char*>(rdata);
    char ifname[IF_NAMESIZE] = {};
    // A link-local answer is only reachable through the interface it came on.
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80 && if_index != 0
        && ::if_indextoname(if_index, ifname) != nullptr)
      address += std::string{"%"} + ifname;
  } else {
    return;
  }
  m->answered[q->family] = true;
  if (m->settle_until == steady::time_point::max())
    m->settle_until = steady::now() + m->settle;
  std::lock_guard<std::mutex> guard{*m->mutex};
  auto& found = *m->addresses;
  if (std::find(found.begin(), found.end(), address) == found.end())
    found.push_back(std::move(address)); // duplicates: one per transport
}

mdns_query::mdns_query(steady::time_point deadline, milliseconds settle,
                       std::mutex& mutex, std::vector<std::string>& addresses)
  : state_{std::make_unique<state>()} {
  state_->deadline = deadline;
  state_->settle = settle;
  state_->mutex = &mutex;
  state_->addresses = &addresses;
}

mdns_query::~mdns_query() {
  close();
}

int mdns_query::open(const std::string& host) {
  auto& m = *state_;
  const uint16_t types[2] = {kDNSServiceType_A, kDNSServiceType_AAAA};
  DNSServiceErrorType error = kDNSServiceErr_NoError;
  for (int family = 0; family < 2; ++family) {
    m.contexts[family] = {&m, family};
    // Avahi refuses every nonzero flag and interface index.
    auto rc = ::DNSServiceQueryRecord(&m.refs[family], 0, 0, host.c_str(),
                                      types[family], kDNSServiceClass_IN,
                                      state::on_record, &m.contexts[family]);
    if (rc != kDNSServiceErr_NoError) {
      m.refs[family] = nullptr;
      if (family == 0)
        error = rc;
      break; // without the A query, or with A alone, go on as we are
    }
  }
  return error;
}

void mdns_query::close() {
  for (auto& ref : state_->refs)
    if (ref != nullptr) {
      ::DNSServiceRefDeallocate(ref); // fast even with a frozen daemon
      ref = nullptr;
    }
}

bool mdns_query::over(steady::time_point now) const {
  auto& m = *state_;
  return !m.failure.empty() || (m.answered[0] && m.answered[1])
         || (m.answered[0] && m.refs[1] == nullptr) || now >= m.settle_until
         || now >= m.deadline;
}

std::string mdns_query::error(steady::time_point started,
                              steady::time_point now) const {
  if (!state_->failure.empty())
    return "mdns: " + state_->failure;
  return "mdns: no answer within " + std::to_string(ms_between(started, now))
         + " ms";
}

void mdns_query::wait_for_answers(int wake_fd,
                                  const std::vector<mdns_query*>& queries) {
  auto wake_at = steady::time_point::max();
  std::vector<pollfd> fds{{wake_fd, POLLIN, 0}};
  std::vector<state*> owners{nullptr};
  std::vector<DNSServiceRef> refs{nullptr};
  for (auto* query : queries) {
    auto& m = *query->state_;
    wake_at = std::min({wake_at, m.settle_until, m.deadline});
    for (auto ref : m.refs)
      if (ref != nullptr) {
        fds.push_back({::DNSServiceRefSockFD(ref), POLLIN, 0});
        owners.push_back(&m);
        refs.push_back(ref);
      }
  }
  auto wait_ms = wake_at == steady::time_point::max()
                   ? -1
                   : std::clamp(ms_between(steady::now(), wake_at) + 1, 0LL,
                                60'000LL);
  if (::poll(fds.data(), fds.size(), static_cast<int>(wait_ms)) <= 0)
    return;
  for (std::size_t k = 1; k < fds.size(); ++k) {
    if ((fds[k].revents & (POLLIN | POLLHUP | POLLERR)) == 0)
      continue;
    // Only once per wake-up: on an unreadable fd it blocks forever.
    if (::DNSServiceProcessResult(refs[k]) != kDNSServiceErr_NoError
        && owners[k]->failure.empty())
      owners[k]->failure = "lost the connection to avahi-daemon";
  }
}

mdns_daemon_memory::mdns_daemon_memory(milliseconds retry) : retry_{retry} {}

std::optional<std::string> mdns_daemon_memory::believed_absent() const {
  if (steady::now() < until_)
    return reason_;
  return std::nullopt;
}

std::string mdns_daemon_memory::open_failed(int error,
                                            steady::time_point began) {
  if (error != kDNSServiceErr_Unknown)
    return "mdns: DNSServiceQueryRecord error " + std::to_string(error);
  auto took_ms = ms_between(began, steady::now());
  until_ = steady::now() + retry_;
  reason_ = "mdns: no Avahi daemon answered (DNSServiceQueryRecord error "
            + std::to_string(error) + " after " + std::to_string(took_ms)
            + " ms)";
  // Once per process: it is a fact about the machine, not about a lookup.
  static std::atomic<bool> warned{false};
  auto level = warned.exchange(true) ? log_level::debug : log_level::warning;
  log(level, "name_lookup: no Avahi daemon, mDNS (.local) lookups fail over "
             "to the fallback IP (DNSServiceQueryRecord error ",
      error, ")");
  return reason_;
}

} // namespace cluster::transport
