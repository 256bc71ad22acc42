#pragma once

// The bookkeeping of one running batch, apart from the actor that owns it:
// which items wait, run or are done, the batch's own concurrency cap, and
// fail-fast.

#include "messages/run.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cluster {

/// Tracks one batch from admission to its last result.
class batch_tracker {
public:
  /// A batch of `total` items that runs under `options`.
  batch_tracker(std::string batch_id, std::size_t total,
                batch_options options);

  /// True when another item of the batch may start now: the batch is not
  /// stopping and runs fewer items than its `max_parallel`.
  bool may_start() const;

  /// Item `index` was handed to a node.
  void started(std::size_t index);

  /// Item `index` left its node without starting (to be retried on
  /// another): it waits again and holds none of the batch's concurrency.
  void requeued(std::size_t index);

  /// Item `index` ended (ran, failed, or never started). Returns true when
  /// this is the failure that stops a fail-fast batch; the caller then calls
  /// `stop`. A second result for the same item is ignored.
  bool finished(std::size_t index, run_result result);

  /// Nothing more of the batch starts; `why` explains it in every cancelled
  /// item, `stopped_by` names the item that caused it (empty for the caller).
  void stop(std::string why, std::string stopped_by = {});

  /// True once `stop` was called.
  bool stopping() const { return stopping_; }

  /// Why the batch stops, for the results of the items it cancels.
  const std::string& stop_reason() const { return stop_reason_; }

  /// True when the item is running now.
  bool running(std::size_t index) const;

  /// True when every item has a result.
  bool complete() const { return done_ == states_.size(); }

  /// Items with a result.
  std::uint32_t done() const { return static_cast<std::uint32_t>(done_); }

  /// Items in the batch.
  std::uint32_t total() const {
    return static_cast<std::uint32_t>(states_.size());
  }

  /// Items running now.
  std::uint32_t running_count() const {
    return static_cast<std::uint32_t>(running_);
  }

  /// The finished batch, results in input order; call once, when complete.
  batch_result take_result();

private:
  enum class item_state : std::uint8_t { waiting, running, done };

  batch_options options_;
  batch_result result_;
  std::vector<item_state> states_;
  std::size_t running_ = 0;
  std::size_t done_ = 0;
  bool stopping_ = false;
  std::string stop_reason_;
};

} // namespace cluster
