#pragma once

// Looks host names up without blocking the caller: `.local` names through
// Avahi's dns_sd (mDNS), every other name through getaddrinfo on a small
// thread pool. Every lookup ends by its deadline, whatever the daemon or the
// DNS server does.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace cluster::transport {

/// State shared by a name_lookup and its threads (defined in name_lookup.cpp).
struct name_lookup_core;

/// What one lookup found.
struct lookup_result {
  std::string host;                    ///< The name as given to lookup().
  std::vector<std::string> addresses;  ///< IP literals, deduplicated, in the order found.
  std::string method;                  ///< "mdns" or "dns".
  std::string error;                   ///< Why nothing was found; empty when `addresses` is not.
};

/// Sizes and limits of a name_lookup.
struct name_lookup_options {
  /// Threads calling getaddrinfo; lookups beyond wait in a queue.
  std::size_t dns_threads = 3;
  /// mDNS lookups open at once (each holds an A and an AAAA dns_sd ref).
  std::size_t mdns_lookups = 8;
  /// Longest wait for an mDNS answer, whatever the deadline (a missing name never answers).
  std::chrono::milliseconds mdns_wait{1'500};
  /// After the first mDNS answer, how long to wait for the other address family.
  std::chrono::milliseconds mdns_settle{50};
  /// How long "no Avahi daemon here" is believed before asking again.
  std::chrono::milliseconds mdns_retry{10'000};
};

/// Owns the lookup threads. Thread-safe; lookup() never blocks.
class name_lookup {
public:
  /// Receives the result exactly once, on one of the lookup's threads.
  using completion = std::function<void(lookup_result)>;

  /// Starts the threads; sets AVAHI_COMPAT_NOWARN unless already set.
  explicit name_lookup(name_lookup_options options = {});

  /// Returns promptly: joins idle threads, detaches those stuck in a blocking call; no completion runs after.
  ~name_lookup();

  name_lookup(const name_lookup&) = delete;
  name_lookup& operator=(const name_lookup&) = delete;

  /// Looks `host` up; `on_done` gets the result by `deadline` (`.local` never reaches getaddrinfo).
  void lookup(std::string host, std::chrono::steady_clock::time_point deadline,
              completion on_done);

  /// Lookups started so far (lets tests see that requests were coalesced).
  std::uint64_t lookups_started() const;

  /// True when `host` is resolved by mDNS (ends in `.local`, any case).
  static bool is_mdns_name(const std::string& host);

private:
  std::shared_ptr<name_lookup_core> core_;
  std::vector<std::thread> threads_;  // timer, mDNS, then the DNS workers
};

} // namespace cluster::transport
