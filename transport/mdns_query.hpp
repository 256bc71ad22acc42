#pragma once

// Internal to transport: only name_lookup.cpp uses it. The Avahi dns_sd side
// of a `.local` lookup, apart from the threads, queues and deadlines: Avahi's
// compat layer has no DNSServiceGetAddrInfo, so one name takes an A and an
// AAAA DNSServiceQueryRecord, and a missing name never answers at all.
// Nothing here is thread-safe: it all runs on name_lookup's one mDNS thread,
// which owns every object. Only answers cross threads (see the constructor).

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace cluster::transport {

/// One running mDNS lookup: an A and an AAAA query on the mDNS thread.
class mdns_query {
public:
  /// Adds answers, deduplicated, to `addresses` under `mutex` (the deadline thread may read them).
  mdns_query(std::chrono::steady_clock::time_point deadline,
             std::chrono::milliseconds settle, std::mutex& mutex,
             std::vector<std::string>& addresses);

  /// Deallocates the refs, like close().
  ~mdns_query();

  /// Owns dns_sd refs whose callbacks point at it; not copyable.
  mdns_query(const mdns_query&) = delete;
  /// Owns dns_sd refs whose callbacks point at it; not copyable.
  mdns_query& operator=(const mdns_query&) = delete;

  /// Asks for `host`'s A and AAAA; blocks (25 s with a frozen daemon); 0 or the A query's dns_sd error.
  int open(const std::string& host);

  /// Deallocates the refs (fast even with a frozen daemon); safe to repeat.
  void close();

  /// True when waiting gains nothing: daemon gone, all families answered, settle time or deadline passed.
  bool over(std::chrono::steady_clock::time_point now) const;

  /// The lookup's error once over(): the daemon's failure, or no answer since `started`.
  std::string error(std::chrono::steady_clock::time_point started,
                    std::chrono::steady_clock::time_point now) const;

  /// Waits for `wake_fd`, an answer, or the next settle/deadline; lets each readable ref answer once.
  static void wait_for_answers(int wake_fd,
                               const std::vector<mdns_query*>& queries);

private:
  struct state;  // on the heap: the dns_sd callbacks hold pointers into it
  std::unique_ptr<state> state_;
};

/// Remembers for a while that no Avahi daemon answered; owned by the mDNS thread alone.
class mdns_daemon_memory {
public:
  /// `retry`: how long "no Avahi daemon here" is believed before asking again.
  explicit mdns_daemon_memory(std::chrono::milliseconds retry);

  /// The error to end a lookup with while "no daemon" is believed; nothing once it is time to ask again.
  std::optional<std::string> believed_absent() const;

  /// The error for a lookup whose open(), begun at `began`, gave `error`; remembers "no daemon" if so.
  std::string open_failed(int error,
                          std::chrono::steady_clock::time_point began);

private:
  std::chrono::milliseconds retry_;
  std::chrono::steady_clock::time_point until_{};
  std::string reason_;
};

} // namespace cluster::transport
