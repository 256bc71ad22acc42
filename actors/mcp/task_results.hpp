#pragma once

// Encoding of the task tools' results (and of a run that outlives its call):
// text for the model, structuredContent matching task_tools.cpp's schemas.

#include "actors/mcp/json_rpc.hpp"
#include "actors/mcp/mcp_session.hpp"
#include "messages/task.hpp"
#include "transport/spool_reader.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cluster::mcp {

/// A page of a task's output as task_output returns it.
struct output_page {
  std::string task_id;
  bool stderr_stream = false;
  std::string state;               ///< The task's state when read.
  std::uint64_t offset = 0;        ///< First byte of `text` in the stream.
  std::uint64_t next_offset = 0;   ///< Where the next page starts.
  std::uint64_t size = 0;          ///< Bytes in the stream so far.
  bool complete = false;           ///< The task ended and the page reaches the end.
  std::string text;                ///< Valid UTF-8.
};

/// Turns raw spool bytes into a page: it ends on a character boundary
/// (a character cut by the read limit starts the next page), except at the
/// end of a finished stream, and invalid UTF-8 becomes U+FFFD.
output_page make_output_page(const task_record& task,
                             const output_request& request,
                             const transport::spool_bytes& bytes);

/// Writes the members of one task object (inside an object the caller
/// opens), named as the task tools' outputSchema names them; without
/// `with_tails`, stdout_tail and stderr_tail are left out.
void write_task_members(json_writer& out, const task_record& task,
                        std::int64_t now_ms, bool with_tails = true);

/// Writes a result whose structuredContent is `{"task": ...}`; `headline`
/// opens the text ("started in the background", "still running after 45 s").
void write_task_result(json_writer& out, const task_record& task,
                       const std::string& headline, std::int64_t now_ms);

/// Writes task_list's result: a table in the text, `tasks` structured.
void write_task_list_result(json_writer& out,
                            const std::vector<task_record>& tasks,
                            std::int64_t now_ms);

/// Writes task_output's result.
void write_output_page_result(json_writer& out, const output_page& page);

} // namespace cluster::mcp
