#pragma once

// Which resolved addresses the resolver may hand out, and how long it keeps
// them: plain logic, no actors, time passed in so tests never sleep.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cluster {

/// True for an IPv4 dotted quad or an IPv6 literal (zone like `%eth0` allowed), not `10.1`.
bool is_literal_ip(std::string_view s);

/// Why a resolved `address` cannot reach another node, e.g. "loopback (127.0.0.0/8)"; empty if fine.
std::string rejected_reason(std::string_view address);

/// A resolved address the policy refused, and why.
struct rejected_address {
  std::string address;  ///< The literal as resolved.
  std::string reason;   ///< From rejected_reason().
};

/// What pick_address() chose among the resolved candidates.
struct address_choice {
  std::string address;                     ///< Empty when none is usable.
  std::vector<rejected_address> rejected;  ///< Every refused candidate.
};

/// Picks the first usable IPv4 candidate, else the first usable IPv6 one.
address_choice pick_address(const std::vector<std::string>& candidates);

/// Describes the rejections, e.g. "127.0.0.1 is loopback (127.0.0.0/8)".
std::string describe(const std::vector<rejected_address>& rejected);

/// One cached resolution.
struct cached_address {
  std::string address;  ///< The literal that was picked.
  std::string method;   ///< How it was found: "mdns" or "dns".
  std::chrono::steady_clock::time_point stored_at;  ///< When put() saw it.
};

/// Resolved addresses by host name (case-insensitive), each fresh for `ttl`.
class address_cache {
public:
  /// The clock the caller reads `now` from.
  using clock = std::chrono::steady_clock;

  /// A cache whose entries are fresh for `ttl`; a zero ttl caches nothing.
  explicit address_cache(std::chrono::milliseconds ttl);

  /// Stores (or replaces) the address of `host`, found by `method` at `now`.
  void put(const std::string& host, std::string address, std::string method,
           clock::time_point now);

  /// The fresh entry of `host` at `now`; an expired one is dropped.
  std::optional<cached_address> get(const std::string& host,
                                    clock::time_point now);

  /// Drops the entry of `host` only if it holds `address`; true when dropped.
  bool forget(const std::string& host, const std::string& address);

  /// Number of entries, fresh or not yet noticed to be stale.
  std::size_t size() const;

private:
  std::chrono::milliseconds ttl_;
  std::unordered_map<std::string, cached_address> entries_;
};

/// `host` in lower case without one trailing dot: the cache and coalescing key.
std::string host_key(std::string_view host);

} // namespace cluster
