#pragma once

// Every typed actor interface of the runtime. Read this file to learn the
// whole protocol: who asks whom for what, and what comes back.

#include "messages/atoms.hpp"
#include "messages/health.hpp"
#include "messages/node.hpp"
#include "messages/placement.hpp"
#include "messages/run.hpp"
#include "messages/task.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <string>

namespace cluster {

/// Receives progress of a batch while it runs.
using progress_listener_actor = caf::typed_actor<
  // One more item of the batch finished.
  caf::reacts_to<atom::progress, batch_progress>>;

/// Turns host names into addresses: mDNS for `.local`, then DNS, then the
/// configured fallback IP; caches for CLUSTER_IP_CACHE_TTL.
using resolver_actor = caf::typed_actor<
  // Resolves `host` (a name or an IP literal), falling back to `fallback_ip`.
  caf::replies_to<atom::resolve, std::string, std::string>::with<resolved_address>,
  // A connection to `address` of `host` failed: resolve afresh next time.
  caf::reacts_to<atom::forget, std::string, std::string>,
  // A lookup finished on the lookup thread (sent by the resolver to itself).
  caf::reacts_to<atom::resolve, resolved_address>>;

/// Runs commands on one node, never more than its slots at once.
using executor_actor = caf::typed_actor<
  // Runs a command and replies when it has ended (or failed to start).
  caf::replies_to<atom::run, run_request>::with<run_result>,
  // Runs a health probe script outside the slot ledger (a busy node must
  // still be measurable); replies like `run`.
  caf::replies_to<atom::probe, run_request>::with<run_result>,
  // Kills the task's process group; its run reply then says cancelled.
  caf::reacts_to<atom::cancel, std::string>,
  // A process ended (sent by the executor's own I/O completion, not by peers).
  caf::reacts_to<atom::ended, run_result>>;

/// Places commands on nodes, holds the slot ledger, and fans batches out.
using router_actor = caf::typed_actor<
  // Routes and runs one command; replies with its result.
  caf::replies_to<atom::run, run_request>::with<run_result>,
  // Runs a batch with backpressure (never more than a node's slots, nor the
  // batch's max_parallel); reports progress; replies in input order, or
  // refuses the whole batch (overloaded, placement, invalid).
  caf::replies_to<atom::run, batch_request,
                  progress_listener_actor>::with<batch_result>,
  // Where the command would run now and why; runs nothing.
  caf::replies_to<atom::explain, run_request>::with<placement_explanation>,
  // Cancels a task wherever it is (queued or running); a batch id cancels
  // every item of that batch.
  caf::reacts_to<atom::cancel, std::string>,
  // A fresh health sample of one node.
  caf::reacts_to<atom::update, node_sample>,
  // The slot ledger of every node.
  caf::replies_to<atom::get, atom::ledger>::with<slot_ledger>>;

/// Records every task's life in the SQLite journal, on a thread of its own
/// (SQLite blocks); a journal it cannot open or write is reported in every
/// answer and never stops a command.
using journal_actor = caf::typed_actor<
  // A task was admitted: the record as known then.
  caf::reacts_to<atom::put, task_record>,
  // A task was handed to a node.
  caf::reacts_to<atom::started, task_start>,
  // A task ended (ran, failed, or never started).
  caf::reacts_to<atom::ended, run_result>,
  // Tasks matching the query, newest first (an id prefix finds one).
  caf::replies_to<atom::get, task_query>::with<task_listing>,
  // Asks the process that owns a task to cancel it (the owner's journal
  // polls for such requests and tells its router).
  caf::reacts_to<atom::cancel, std::string>,
  // Timer: cancel requests from other processes, lost owners, retention.
  caf::reacts_to<atom::tick>,
  // The router that cancel requests from other processes go to (it is
  // spawned after the journal).
  caf::reacts_to<atom::update, router_actor>>;

/// Samples every node's health and serves the latest snapshot.
using health_monitor_actor = caf::typed_actor<
  // The latest sample of every node; with `true`, probes every node first
  // (each bounded by CLUSTER_STATUS_TIMEOUT).
  caf::replies_to<atom::get, atom::snapshot, bool>::with<cluster_snapshot>,
  // Sampling timer.
  caf::reacts_to<atom::tick>>;

/// One MCP client session: turns JSON-RPC lines into message flows.
using mcp_gateway_actor = caf::typed_actor<
  // One line read from the client.
  caf::reacts_to<atom::line, std::string>,
  // The client's input ended: cancel running calls, reply once they are done.
  caf::replies_to<atom::shutdown>::with<atom::done>,
  // Progress of a batch this session started.
  caf::reacts_to<atom::progress, batch_progress>,
  // Progress heartbeat timer.
  caf::reacts_to<atom::tick>,
  // A timer of one call (by request id): hand a long run off as a task, or
  // look again at a task it waits for.
  caf::reacts_to<atom::tick, std::string>>;

} // namespace cluster
