#pragma once

// The resolver actor. Order per request: an IP literal is used as given
// ("configured"); a fresh cache entry ("cache"); a lookup ("mdns" for .local,
// "dns" otherwise) whose loopback, Docker-bridge, link-local and unspecified
// answers are refused; the caller's fallback IP, taken as given ("fallback");
// else an error naming the host, what each method said and every rejection.
// Requests for one host while its lookup runs share that lookup.

#include "messages/type_ids.hpp"

#include <caf/fwd.hpp>

#include <chrono>
#include <memory>

namespace cluster {

namespace transport {
class name_lookup;
} // namespace transport

/// Spawns the resolver: literals as given, cache for `ttl`, else `lookup` within `lookup_timeout`, then the fallback IP.
resolver_actor spawn_resolver(caf::actor_system& sys,
                              std::chrono::milliseconds ttl,
                              std::chrono::milliseconds lookup_timeout,
                              std::shared_ptr<transport::name_lookup> lookup);

} // namespace cluster
