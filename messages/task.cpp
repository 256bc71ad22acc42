#include "messages/task.hpp"

#include <array>
#include <utility>

namespace cluster {

namespace {

constexpr std::array<std::pair<task_state, const char*>, 6> task_state_names{{
  {task_state::queued, "queued"},
  {task_state::running, "running"},
  {task_state::succeeded, "succeeded"},
  {task_state::failed, "failed"},
  {task_state::cancelled, "cancelled"},
  {task_state::lost, "lost"},
}};

} // namespace

const char* to_string(task_state x) {
  for (auto& [state, name] : task_state_names)
    if (state == x)
      return name;
  return "unknown";
}

bool from_string(const std::string& text, task_state& out) {
  for (auto& [state, name] : task_state_names)
    if (text == name) {
      out = state;
      return true;
    }
  return false;
}

bool is_final(task_state x) {
  return x != task_state::queued && x != task_state::running;
}

} // namespace cluster
