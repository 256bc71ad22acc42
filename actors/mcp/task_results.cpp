#include "actors/mcp/task_results.hpp"

#include "actors/mcp/tool_results.hpp"
#include "actors/utf8.hpp"

#include <algorithm>

namespace cluster::mcp {

namespace {

bool ran(const task_record& t) {
  return (t.error == error_class::none || t.error == error_class::command)
         && t.exit_code;
}

void timestamp_or_null(json_writer& out, const char* key, std::int64_t ms) {
  out.key(key);
  if (ms > 0)
    out.string(utc_timestamp(ms));
  else
    out.null();
}

// How long it has run: to its end, or to now while it runs.
std::optional<std::int64_t> duration_of(const task_record& t,
                                        std::int64_t now_ms) {
  if (t.started_ms <= 0)
    return std::nullopt;
  auto end = t.finished_ms > 0 ? t.finished_ms : now_ms;
  return std::max<std::int64_t>(0, end - t.started_ms);
}

} // namespace

void write_task_members(json_writer& out, const task_record& t,
                        std::int64_t now_ms, bool with_tails) {
  out.key("task_id").string(t.id);
  out.key("state").string(to_string(t.state));
  out.key("command").string(t.command);
  out.key("executed_on");
  if (t.node.empty())
    out.null();
  else
    out.string(t.node);
  out.key("routing_reason").string(t.reason);
  out.key("submitter").string(t.submitter);
  timestamp_or_null(out, "created_at", t.created_ms);
  timestamp_or_null(out, "started_at", t.started_ms);
  timestamp_or_null(out, "finished_at", t.finished_ms);
  out.key("duration_ms");
  if (auto d = duration_of(t, now_ms))
    out.integer(*d);
  else
    out.null();
  out.key("success").boolean(t.state == task_state::succeeded);
  out.key("return_code");
  if (ran(t))
    out.integer(*t.exit_code);
  else
    out.null();
  out.key("error").string(to_string(t.error));
  out.key("error_message").string(t.error_message);
  if (with_tails) {
    out.key("stdout_tail").string(t.stdout_tail);
    out.key("stderr_tail").string(t.stderr_tail);
  }
  out.key("cancel_requested").boolean(t.cancel_requested);
}

namespace {

void write_task_object(json_writer& out, const task_record& t,
                       std::int64_t now_ms) {
  out.begin_object();
  write_task_members(out, t, now_ms);
  out.end_object();
}

// "t-1a2b-3 running on node2 for 12.3 s: make -j8"
std::string task_line(const task_record& t, std::int64_t now_ms) {
  auto line = t.id + " " + to_string(t.state);
  if (!t.node.empty())
    line += " on " + t.node;
  if (auto d = duration_of(t, now_ms))
    line += (t.finished_ms > 0 ? " after " : " for ")
            + std::to_string(*d / 1000) + "." + std::to_string(*d % 1000 / 100)
            + " s";
  if (ran(t))
    line += ", exit " + std::to_string(*t.exit_code);
  else if (t.error != error_class::none)
    line += ", " + std::string{to_string(t.error)}
            + (t.error_message.empty() ? "" : ": " + t.error_message);
  auto command = std::string_view{t.command}.substr(0, 80);
  return line + ": " + std::string{command.substr(0, utf8_prefix_boundary(command))}
         + (command.size() < t.command.size() ? "..." : "");
}

} // namespace

output_page make_output_page(const task_record& task,
                             const output_request& request,
                             const transport::spool_bytes& bytes) {
  output_page page;
  page.task_id = task.id;
  page.stderr_stream = request.stderr_stream;
  page.state = to_string(task.state);
  page.size = bytes.size;
  std::string_view raw{bytes.bytes};
  // A tail may begin inside a character: start at the next whole one.
  auto skip = request.tail != 0 ? utf8_suffix_boundary(raw) : 0;
  raw.remove_prefix(skip);
  page.offset = bytes.offset + skip;
  auto at_end = page.offset + raw.size() == bytes.size;
  auto finished = is_final(task.state);
  auto keep = utf8_prefix_boundary(raw);
  // Keep a cut character for the next page, unless nothing else would fit or
  // the stream is over (then it is invalid, and shown as such).
  if (keep == 0 || (at_end && finished))
    keep = raw.size();
  page.text = sanitize_utf8(raw.substr(0, keep));
  page.next_offset = page.offset + keep;
  page.complete = finished && page.next_offset >= bytes.size;
  return page;
}

void write_task_result(json_writer& out, const task_record& task,
                       const std::string& headline, std::int64_t now_ms) {
  auto text = headline + "\n" + task_line(task, now_ms);
  if (!task.stdout_tail.empty())
    text += "\n--- stdout (end) ---\n" + task.stdout_tail;
  if (!task.stderr_tail.empty())
    text += "\n--- stderr (end) ---\n" + task.stderr_tail;
  if (!is_final(task.state))
    text += "\nFollow it with task_status (wait_seconds), task_output or "
            "task_cancel, task_id " + task.id + ".";
  write_text_content(out, text);
  out.key("structuredContent").begin_object().key("task");
  write_task_object(out, task, now_ms);
  out.end_object();
  out.key("isError").boolean(false);
}

void write_task_list_result(json_writer& out,
                            const std::vector<task_record>& tasks,
                            std::int64_t now_ms) {
  std::string text = std::to_string(tasks.size())
                     + (tasks.size() == 1 ? " task" : " tasks")
                     + ", newest first";
  for (auto& t : tasks)
    text += "\n" + task_line(t, now_ms);
  write_text_content(out, text);
  out.key("structuredContent").begin_object().key("tasks").begin_array();
  for (auto& t : tasks)
    write_task_object(out, t, now_ms);
  out.end_array().end_object();
  out.key("isError").boolean(false);
}

void write_output_page_result(json_writer& out, const output_page& page) {
  auto stream = page.stderr_stream ? "stderr" : "stdout";
  auto text = page.text;
  if (text.empty())
    text = std::string{"(no "} + stream + " bytes from offset "
           + std::to_string(page.offset) + "; " + std::to_string(page.size)
           + " so far, task " + page.state + ")";
  write_text_content(out, text);
  out.key("structuredContent").begin_object();
  out.key("task_id").string(page.task_id);
  out.key("stream").string(stream);
  out.key("state").string(page.state);
  out.key("offset").unsigned_integer(page.offset);
  out.key("next_offset").unsigned_integer(page.next_offset);
  out.key("size").unsigned_integer(page.size);
  out.key("complete").boolean(page.complete);
  out.key("text").string(page.text);
  out.end_object();
  out.key("isError").boolean(false);
}

} // namespace cluster::mcp
