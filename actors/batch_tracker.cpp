#include "actors/batch_tracker.hpp"

#include <utility>

namespace cluster {

batch_tracker::batch_tracker(std::string batch_id, std::size_t total,
                             batch_options options)
  : options_(options), states_(total, item_state::waiting) {
  result_.batch_id = std::move(batch_id);
  result_.results.resize(total);
}

bool batch_tracker::may_start() const {
  return !stopping_
         && (options_.max_parallel == 0 || running_ < options_.max_parallel);
}

void batch_tracker::started(std::size_t index) {
  if (index >= states_.size() || states_[index] != item_state::waiting)
    return;
  states_[index] = item_state::running;
  ++running_;
}

void batch_tracker::requeued(std::size_t index) {
  if (index >= states_.size() || states_[index] != item_state::running)
    return;
  states_[index] = item_state::waiting;
  --running_;
}

bool batch_tracker::finished(std::size_t index, run_result result) {
  if (index >= states_.size() || states_[index] == item_state::done)
    return false;
  if (states_[index] == item_state::running)
    --running_;
  states_[index] = item_state::done;
  ++done_;
  auto failed = !result.ok();
  result_.results[index] = std::move(result);
  // Only the first failure stops the batch; the cancellations it causes are
  // failures too, but not new causes.
  return failed && options_.fail_fast && !stopping_;
}

void batch_tracker::stop(std::string why, std::string stopped_by) {
  if (stopping_)
    return;
  stopping_ = true;
  stop_reason_ = std::move(why);
  result_.stopped_by = std::move(stopped_by);
}

bool batch_tracker::running(std::size_t index) const {
  return index < states_.size() && states_[index] == item_state::running;
}

batch_result batch_tracker::take_result() {
  return std::move(result_);
}

} // namespace cluster
