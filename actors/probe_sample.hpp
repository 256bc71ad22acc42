#pragma once

// Turns a probe's outcome into the node_sample the rest of the runtime sees:
// plain functions, so the health monitor stays a thin actor.

#include "actors/remote_probe.hpp"
#include "messages/health.hpp"
#include "messages/node.hpp"
#include "messages/run.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace cluster {

/// The sample of a node nobody has probed yet: configured platform, no figures.
node_sample unsampled(const node_info& node);

/// A successful reading as a sample. CPU % comes from the node itself
/// (macOS), from the reading's own two /proc/stat lines, or from `last_cpu`
/// (the previous probe's reading); with none of these it is 0. OS or
/// architecture differing from the configuration fills `mismatch`.
node_sample sample_from(const node_info& node, const probe_reading& reading,
                        const std::optional<cpu_times>& last_cpu,
                        std::int64_t now_ms);

/// A failed probe as a sample: unreachable with `why`, one more failure in a
/// row than `previous`, configured platform, no figures.
node_sample unreachable_sample(const node_info& node,
                               const node_sample& previous,
                               const std::string& why, std::int64_t now_ms);

/// Why a probe run that did not succeed failed, in words ("connection
/// refused", "the probe exited 127: sh: 1: uname: not found").
std::string probe_failure_text(const run_result& result);

/// How long to leave a node alone after `failures` failed probes in a row:
/// the interval, doubling with each failure up to 32 times the interval.
std::chrono::milliseconds probe_backoff(std::chrono::milliseconds interval,
                                        std::uint32_t failures);

} // namespace cluster
