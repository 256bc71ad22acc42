#include "actors/address_policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

#include <arpa/inet.h>

namespace cluster {

namespace {

// A parsed literal; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) counts as
// the IPv4 address it carries, so it cannot sneak a loopback past the policy.
struct parsed_ip {
  bool v4 = false;
  std::array<std::uint8_t, 16> bytes{};  // v4 uses the first 4
};

std::optional<parsed_ip> parse_ip(std::string_view s) {
  if (s.empty() || s.size() > 100)
    return std::nullopt;
  std::string text{s};
  parsed_ip ip;
  if (::inet_pton(AF_INET, text.c_str(), ip.bytes.data()) == 1) {
    ip.v4 = true;
    return ip;
  }
  // The zone names an interface; it does not change what the address is.
  auto zone = text.find('%');
  if (zone != std::string::npos) {
    if (zone + 1 == text.size())
      return std::nullopt;
    text.resize(zone);
  }
  if (::inet_pton(AF_INET6, text.c_str(), ip.bytes.data()) != 1)
    return std::nullopt;
  static constexpr std::uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0,
                                                     0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(std::begin(mapped_prefix), std::end(mapped_prefix),
                 ip.bytes.begin())) {
    std::copy(ip.bytes.begin() + 12, ip.bytes.end(), ip.bytes.begin());
    std::fill(ip.bytes.begin() + 4, ip.bytes.end(), 0);
    ip.v4 = true;
  }
  return ip;
}

bool all_zero(const parsed_ip& ip) {
  auto n = ip.v4 ? 4 : 16;
  return std::all_of(ip.bytes.begin(), ip.bytes.begin() + n,
                     [](std::uint8_t b) { return b == 0; });
}

std::string reason_v4(const parsed_ip& ip) {
  auto& b = ip.bytes;
  if (all_zero(ip))
    return "unspecified (0.0.0.0)";
  if (b[0] == 127)
    return "loopback (127.0.0.0/8)";
  if (b[0] == 172 && b[1] == 17)
    return "Docker bridge (172.17.0.0/16)";
  if (b[0] == 169 && b[1] == 254)
    return "link-local (169.254.0.0/16)";
  return {};
}

std::string reason_v6(const parsed_ip& ip) {
  auto& b = ip.bytes;
  if (all_zero(ip))
    return "unspecified (::)";
  if (std::all_of(b.begin(), b.begin() + 15, [](auto x) { return x == 0; })
      && b[15] == 1)
    return "loopback (::1)";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
    return "link-local (fe80::/10)";
  return {};
}

} // namespace

bool is_literal_ip(std::string_view s) {
  return parse_ip(s).has_value();
}

std::string rejected_reason(std::string_view address) {
  auto ip = parse_ip(address);
  if (!ip)
    return "not an IP address";
  return ip->v4 ? reason_v4(*ip) : reason_v6(*ip);
}

address_choice pick_address(const std::vector<std::string>& candidates) {
  address_choice choice;
  std::string first_v6;
  for (auto& candidate : candidates) {
    auto reason = rejected_reason(candidate);
    if (!reason.empty()) {
      choice.rejected.push_back({candidate, std::move(reason)});
      continue;
    }
    // Plain IPv4 wins: node networks are IPv4 far more often than not, and
    // an IPv6 answer may be a route the SSH side cannot take.
    if (candidate.find(':') == std::string::npos) {
      if (choice.address.empty())
        choice.address = candidate;
    } else if (first_v6.empty()) {
      first_v6 = candidate;
    }
  }
  if (choice.address.empty())
    choice.address = std::move(first_v6);
  return choice;
}

std::string describe(const std::vector<rejected_address>& rejected) {
  std::string out;
  for (auto& r : rejected) {
    if (!out.empty())
      out += ", ";
    out += r.address + " is " + r.reason;
  }
  return out;
}

std::string host_key(std::string_view host) {
  std::string key{host};
  if (key.size() > 1 && key.back() == '.')
    key.pop_back();
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return key;
}

address_cache::address_cache(std::chrono::milliseconds ttl) : ttl_{ttl} {
}

void address_cache::put(const std::string& host, std::string address,
                        std::string method, clock::time_point now) {
  if (ttl_.count() <= 0)
    return;
  entries_[host_key(host)] = {std::move(address), std::move(method), now};
}

std::optional<cached_address> address_cache::get(const std::string& host,
                                                 clock::time_point now) {
  auto i = entries_.find(host_key(host));
  if (i == entries_.end())
    return std::nullopt;
  if (now - i->second.stored_at >= ttl_) {
    entries_.erase(i);
    return std::nullopt;
  }
  return i->second;
}

bool address_cache::forget(const std::string& host,
                           const std::string& address) {
  auto i = entries_.find(host_key(host));
  if (i == entries_.end() || i->second.address != address)
    return false;
  entries_.erase(i);
  return true;
}

std::size_t address_cache::size() const {
  return entries_.size();
}

} // namespace cluster
