#include "actors/mcp/mcp_session.hpp"

#include "actors/mcp/json_rpc.hpp"
#include "actors/mcp/tool_arguments.hpp"
#include "actors/mcp/tool_catalog.hpp"
#include "actors/mcp/tool_results.hpp"

#include <algorithm>
#include <exception>
#include <iterator>
#include <utility>

namespace cluster::mcp {

namespace {

constexpr const char* protocol_version_key
  = "io.modelcontextprotocol/protocolVersion";
constexpr const char* client_capabilities_key
  = "io.modelcontextprotocol/clientCapabilities";
constexpr const char* server_info_key = "io.modelcontextprotocol/serverInfo";

// Revisions `initialize` accepts, newest first. 2025-06-18 stays because
// hosts still ask for it and nothing we send differs between the two; older
// ones lack structuredContent and outputSchema.
constexpr const char* legacy_versions[] = {legacy_version, "2025-06-18"};

// The tools never change while the process runs; an hour bounds how long a
// client keeps a list from before a server upgrade.
constexpr std::uint64_t list_ttl_ms = 3'600'000;

bool is_modern(std::string_view version) {
  return version == modern_version;
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

void write_server_info(json_writer& w, const session_options& opts) {
  w.begin_object().key("name").string(opts.server_name);
  w.key("version").string(opts.server_version);
  w.key("title").string("Cluster command execution").end_object();
}

void write_capabilities(json_writer& w) {
  w.begin_object().key("tools").begin_object();
  w.key("listChanged").boolean(false).end_object().end_object();
}

// A complete result response in the shape of `version`: the modern revision
// requires resultType on every result and recommends serverInfo in _meta;
// the legacy revisions know neither.
template <class WriteMembers>
std::string result_line(std::string_view id, std::string_view version,
                        const session_options& opts,
                        WriteMembers&& write_members) {
  json_writer w;
  w.begin_object().key("jsonrpc").string("2.0").key("id").raw(id);
  w.key("result").begin_object();
  if (is_modern(version)) {
    w.key("resultType").string("complete");
    w.key("_meta").begin_object().key(server_info_key);
    write_server_info(w, opts);
    w.end_object();
  }
  write_members(w);
  w.end_object().end_object();
  return w.str();
}

std::string unsupported_version(std::string_view id,
                                std::string_view requested) {
  json_writer data;
  data.begin_object().key("supported").begin_array().string(modern_version);
  for (auto* v : legacy_versions)
    data.string(v);
  data.end_array().key("requested").string(requested).end_object();
  std::string text = "Unsupported protocol version";
  if (std::find(std::begin(legacy_versions), std::end(legacy_versions),
                requested)
      != std::end(legacy_versions))
    text += ": " + std::string{requested}
            + " is negotiated with initialize, not per-request _meta";
  return error_response(id, error_code::unsupported_protocol_version, text,
                        data.str());
}

std::string method_not_found(const message& msg, bool modern) {
  auto text = "Method not found: " + msg.method;
  if (modern
      && (msg.method == "initialize" || msg.method == "ping"
          || msg.method == "logging/setLevel"))
    text += " (not part of protocol revision " + std::string{modern_version}
            + ")";
  else if (!modern && msg.method == "server/discover")
    text += " (needs params._meta[\"" + std::string{protocol_version_key}
            + "\"])";
  return error_response(msg.id, error_code::method_not_found, text);
}

std::string invalid_params(const message& msg, std::string_view text) {
  return error_response(msg.id, error_code::invalid_params,
                        "Invalid params: " + std::string{text});
}

std::string tools_list(const message& msg, std::string_view version,
                       const session_options& opts) {
  // One page only, so no cursor we could have handed out is valid.
  if (auto* cursor = find_member(msg.params(), "cursor");
      cursor != nullptr && !cursor->IsNull())
    return invalid_params(msg, "unknown cursor (tools/list has one page)");
  return result_line(msg.id, version, opts, [&](json_writer& w) {
    w.key("tools").raw(tool_list_json(opts));
    if (is_modern(version))
      w.key("ttlMs").unsigned_integer(list_ttl_ms).key("cacheScope").string(
        "public");
  });
}

std::string discover(const message& msg, const session_options& opts) {
  return result_line(msg.id, modern_version, opts, [&](json_writer& w) {
    // Only revisions a request may name in _meta; the legacy ones are
    // reached through initialize and appear in -32022's list instead.
    w.key("supportedVersions").begin_array().string(modern_version).end_array();
    w.key("capabilities");
    write_capabilities(w);
    w.key("instructions").string(server_instructions());
    w.key("ttlMs").unsigned_integer(list_ttl_ms).key("cacheScope").string(
      "public");
  });
}

std::string initialize(const message& msg, const session_options& opts,
                       std::string& negotiated) {
  auto* requested = find_member(msg.params(), "protocolVersion");
  if (requested == nullptr || !requested->IsString())
    return invalid_params(msg, "initialize needs \"protocolVersion\" (a string)");
  // Per the lifecycle spec: echo a version we speak, else offer our latest.
  std::string_view wanted{requested->GetString(), requested->GetStringLength()};
  auto known = std::find(std::begin(legacy_versions), std::end(legacy_versions),
                         wanted);
  negotiated = known != std::end(legacy_versions) ? *known : legacy_version;
  return result_line(msg.id, negotiated, opts, [&](json_writer& w) {
    w.key("protocolVersion").string(negotiated);
    w.key("capabilities");
    write_capabilities(w);
    w.key("serverInfo");
    write_server_info(w, opts);
    w.key("instructions").string(server_instructions());
  });
}

// tools/call: either a call for the gateway to run, or a reply right away.
void tools_call(const message& msg, const std::string& version,
                const session_options& opts, inbound& in) {
  auto* params = msg.params();
  auto* name = find_member(params, "name");
  if (name == nullptr || !name->IsString()) {
    in.replies.push_back(
      invalid_params(msg, "tools/call needs \"name\" (a string)"));
    return;
  }
  std::string tool{name->GetString(), name->GetStringLength()};
  if (!is_known_tool(tool)) {
    in.replies.push_back(error_response(msg.id, error_code::invalid_params,
                                        "Unknown tool: " + tool));
    return;
  }
  auto* arguments = find_member(params, "arguments");
  if (arguments != nullptr && arguments->IsNull())
    arguments = nullptr;
  if (arguments != nullptr && !arguments->IsObject()) {
    in.replies.push_back(
      invalid_params(msg, "\"arguments\" must be an object"));
    return;
  }
  std::string progress_token;
  if (find_member(find_member(params, "_meta"), "progressToken") != nullptr) {
    auto token = msg.id_at({"params", "_meta", "progressToken"});
    if (!token) {
      in.replies.push_back(invalid_params(
        msg, "\"_meta.progressToken\" must be a string or an integer"));
      return;
    }
    progress_token = std::move(*token);
  }
  auto parsed = parse_tool_arguments(tool, arguments, opts);
  if (!parsed.error.empty()) {
    in.replies.push_back(result_line(msg.id, version, opts, [&](json_writer& w) {
      write_error_result(w, parsed.error);
    }));
    return;
  }
  tool_call call;
  call.what = parsed.what;
  call.tool = std::move(tool);
  call.request_id = msg.id;
  call.protocol_version = version;
  call.progress_token = std::move(progress_token);
  call.run = std::move(parsed.run);
  call.batch = std::move(parsed.batch);
  call.refresh = parsed.refresh;
  call.merge_output = parsed.merge_output;
  call.background = parsed.background;
  call.wait_ms = parsed.wait_ms;
  call.task_id = std::move(parsed.task_id);
  call.query = std::move(parsed.query);
  call.output = parsed.output;
  in.call = std::move(call);
}

// Returns the revision a request is served under, or nullopt after queuing
// the error reply when its _meta is unacceptable.
std::optional<std::string> request_version(const message& msg,
                                           const std::string& negotiated,
                                           inbound& in) {
  auto* meta = find_member(msg.params(), "_meta");
  if (meta != nullptr && !meta->IsObject()) {
    in.replies.push_back(invalid_params(msg, "\"_meta\" must be an object"));
    return std::nullopt;
  }
  auto* claimed = find_member(meta, protocol_version_key);
  if (claimed == nullptr)
    return negotiated.empty() ? std::string{legacy_version} : negotiated;
  if (!claimed->IsString()) {
    in.replies.push_back(invalid_params(
      msg, "_meta[\"" + std::string{protocol_version_key}
             + "\"] must be a string"));
    return std::nullopt;
  }
  std::string version{claimed->GetString(), claimed->GetStringLength()};
  if (!is_modern(version)) {
    in.replies.push_back(unsupported_version(msg.id, version));
    return std::nullopt;
  }
  auto* capabilities = find_member(meta, client_capabilities_key);
  if (capabilities == nullptr || !capabilities->IsObject()) {
    in.replies.push_back(invalid_params(
      msg, "_meta[\"" + std::string{client_capabilities_key}
             + "\"] must be an object (required by protocol revision "
             + modern_version + ")"));
    return std::nullopt;
  }
  return version;
}

} // namespace

session::session(session_options opts) : opts_(std::move(opts)) {}

inbound session::handle(std::string_view line) {
  inbound in;
  if (is_blank(line))
    return in;
  // Set once the line is known to be a request: only requests get replies.
  std::optional<std::string> request_id;
  try {
    auto msg = parse_message(line);
    switch (msg.kind) {
      case message_kind::invalid:
        in.replies.push_back(error_response(msg.id, msg.error, msg.error_text));
        return in;
      case message_kind::response:
        // We never send requests, so there is nothing to match it to.
        return in;
      case message_kind::notification:
        if (msg.method == "notifications/initialized") {
          initialized_ = true;
        } else if (msg.method == "notifications/cancelled") {
          // Both revisions name the request in params.requestId; a malformed
          // cancellation is ignored, as the spec asks.
          if (auto cancelled = msg.id_at({"params", "requestId"}))
            in.cancel_request = std::move(*cancelled);
        }
        return in;
      case message_kind::request:
        request_id = msg.id;
        break;
    }
    // A request without the modern _meta claim is legacy traffic. Before
    // initialize it is served anyway, under our latest legacy revision: the
    // spec gives the server no rule here, both official SDK servers do the
    // same, and refusing would only break sloppy clients; modern clients
    // always carry the claim, so no era is misread.
    auto version = request_version(msg, negotiated_version_, in);
    if (!version)
      return in;
    bool modern = is_modern(*version);
    if (msg.method == "tools/call")
      tools_call(msg, *version, opts_, in);
    else if (msg.method == "tools/list")
      in.replies.push_back(tools_list(msg, *version, opts_));
    else if (modern && msg.method == "server/discover")
      in.replies.push_back(discover(msg, opts_));
    else if (!modern && msg.method == "initialize")
      in.replies.push_back(initialize(msg, opts_, negotiated_version_));
    else if (!modern && msg.method == "ping")
      in.replies.push_back(result_line(msg.id, *version, opts_,
                                       [](json_writer&) {}));
    else
      in.replies.push_back(method_not_found(msg, modern));
  } catch (const std::exception& e) {
    in.call.reset();
    in.replies.clear();
    if (request_id)
      in.replies.push_back(error_response(*request_id,
                                          error_code::internal_error,
                                          std::string{"Internal error: "}
                                            + e.what()));
  }
  return in;
}

std::string session::run_reply(const tool_call& call,
                               const run_result& result) const {
  return result_line(call.request_id, call.protocol_version, opts_,
                     [&](json_writer& w) { write_run_result(w, result); });
}

std::string session::batch_reply(const tool_call& call,
                                 const batch_result& result) const {
  return result_line(call.request_id, call.protocol_version, opts_,
                     [&](json_writer& w) {
                       write_batch_result(w, result, call.batch, call.merge_output);
                     });
}

std::string session::tool_reply(
  const tool_call& call,
  const std::function<void(json_writer&)>& write) const {
  return result_line(call.request_id, call.protocol_version, opts_, write);
}

std::string session::explain_reply(const tool_call& call,
                                   const placement_explanation& x) const {
  return result_line(call.request_id, call.protocol_version, opts_,
                     [&](json_writer& w) { write_explanation_result(w, x); });
}

std::string session::status_reply(const tool_call& call,
                                  const cluster_snapshot& snapshot,
                                  const slot_ledger& ledger,
                                  std::int64_t now_ms) const {
  return result_line(call.request_id, call.protocol_version, opts_,
                     [&](json_writer& w) {
                       write_status_result(w, snapshot, ledger, opts_, now_ms);
                     });
}

std::string session::failure_reply(const tool_call& call,
                                   const std::string& message) const {
  return result_line(call.request_id, call.protocol_version, opts_,
                     [&](json_writer& w) { write_error_result(w, message); });
}

std::string session::progress_notification(const tool_call& call,
                                           double progress,
                                           std::optional<double> total,
                                           const std::string& message) const {
  // Without a token the client asked for no progress; there is no valid line.
  if (call.progress_token.empty())
    return {};
  json_writer params;
  params.begin_object().key("progressToken").raw(call.progress_token);
  params.key("progress").number(progress);
  if (total)
    params.key("total").number(*total);
  if (!message.empty())
    params.key("message").string(message);
  params.end_object();
  return notification_message("notifications/progress", params.str());
}

session_options session_options_from(const settings& cfg) {
  session_options opts;
  opts.limits = load_limits_from(cfg);
  return opts;
}

} // namespace cluster::mcp
