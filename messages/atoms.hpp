#pragma once

// Atoms: the verbs of the protocol (at most 10 characters each).

#include <caf/atom.hpp>

namespace cluster::atom {

/// Run a command or a batch.
using run = caf::atom_constant<caf::atom("run")>;
inline constexpr run run_v{};
/// Cancel a running or queued task.
using cancel = caf::atom_constant<caf::atom("cancel")>;
inline constexpr cancel cancel_v{};
/// Ask for a piece of state.
using get = caf::atom_constant<caf::atom("get")>;
inline constexpr get get_v{};
/// A new health sample for the router.
using update = caf::atom_constant<caf::atom("update")>;
inline constexpr update update_v{};
/// The health monitor's snapshot of every node.
using snapshot = caf::atom_constant<caf::atom("snapshot")>;
inline constexpr snapshot snapshot_v{};
/// The router's slot ledger.
using ledger = caf::atom_constant<caf::atom("ledger")>;
inline constexpr ledger ledger_v{};
/// Progress of a batch.
using progress = caf::atom_constant<caf::atom("progress")>;
inline constexpr progress progress_v{};
/// A timer fired (sampling interval, progress heartbeat).
using tick = caf::atom_constant<caf::atom("tick")>;
inline constexpr tick tick_v{};
/// One line of input from a client.
using line = caf::atom_constant<caf::atom("line")>;
inline constexpr line line_v{};
/// The client's input ended: cancel what runs, answer when quiet.
using shutdown = caf::atom_constant<caf::atom("shutdown")>;
inline constexpr shutdown shutdown_v{};
/// Acknowledges a request that has no other answer.
using done = caf::atom_constant<caf::atom("done")>;
inline constexpr done done_v{};
/// A process ended (sent by an executor to itself from the I/O thread).
using ended = caf::atom_constant<caf::atom("ended")>;
inline constexpr ended ended_v{};

/// Sample a node's health (health monitor to executor).
using probe = caf::atom_constant<caf::atom("probe")>;
inline constexpr probe probe_v{};
/// Decide where a command would run, without running it.
using explain = caf::atom_constant<caf::atom("explain")>;
inline constexpr explain explain_v{};

/// Record a task in the journal.
using put = caf::atom_constant<caf::atom("put")>;
inline constexpr put put_v{};
/// A task was handed to a node (router to journal).
using started = caf::atom_constant<caf::atom("started")>;
inline constexpr started started_v{};

/// Resolve a host name to an address.
using resolve = caf::atom_constant<caf::atom("resolve")>;
inline constexpr resolve resolve_v{};
/// Forget a cached address (a connection to it failed).
using forget = caf::atom_constant<caf::atom("forget")>;
inline constexpr forget forget_v{};

} // namespace cluster::atom
