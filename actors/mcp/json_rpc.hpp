#pragma once

// JSON-RPC 2.0 framing for MCP over stdio: one input line classified into a
// request, notification, response or invalid message, and compact one-line
// JSON out. Batches are not part of the MCP revisions we serve.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace cluster::mcp {

/// JSON-RPC and MCP error codes this server emits.
namespace error_code {
inline constexpr int parse_error = -32700;       ///< Not JSON.
inline constexpr int invalid_request = -32600;   ///< JSON, but not a JSON-RPC request.
inline constexpr int method_not_found = -32601;  ///< Unknown (or removed) method.
inline constexpr int invalid_params = -32602;    ///< Bad params, unknown tool, bad cursor.
inline constexpr int internal_error = -32603;    ///< A bug of ours, not the client's.
inline constexpr int unsupported_protocol_version = -32022;  ///< 2026-07-28 `_meta` version not served.
} // namespace error_code

/// What one input line is.
enum class message_kind { request, notification, response, invalid };

/// One input line, parsed and classified. Owns its JSON document.
struct message {
  message_kind kind = message_kind::invalid;
  std::string id = "null";  ///< Compact JSON of the id; "null" when absent or unusable.
  std::string method;       ///< Requests and notifications only.
  int error = 0;            ///< For `invalid`: the code to answer with.
  std::string error_text;   ///< For `invalid`: the message to answer with.
  std::string line;         ///< The input, kept to recover integers too large for 64 bits.
  rapidjson::Document doc;  ///< The parsed line.

  /// The `params` object, or nullptr when absent.
  const rapidjson::Value* params() const;

  /// Compact JSON of the string-or-integer value at `path` (from the root),
  /// integers of any size kept digit for digit; nullopt when absent or of
  /// another type (null, float, bool, object, array).
  std::optional<std::string> id_at(std::initializer_list<const char*> path) const;
};

/// Parses and classifies one line. Never throws.
message parse_message(std::string_view line);

/// Returns the member `name` of `object` when `object` is an object that has it.
const rapidjson::Value* find_member(const rapidjson::Value* object,
                                    const char* name);

/// Streams compact JSON; every string it writes is valid UTF-8 and every
/// number is finite, so the output is always one valid line.
class json_writer {
public:
  /// Starts an empty document.
  json_writer();

  /// Opens an object.
  json_writer& begin_object();
  /// Closes the innermost object.
  json_writer& end_object();
  /// Opens an array.
  json_writer& begin_array();
  /// Closes the innermost array.
  json_writer& end_array();
  /// Writes an object key.
  json_writer& key(std::string_view name);
  /// Writes a string value (invalid UTF-8 replaced by U+FFFD).
  json_writer& string(std::string_view text);
  /// Writes true or false.
  json_writer& boolean(bool value);
  /// Writes a signed integer.
  json_writer& integer(std::int64_t value);
  /// Writes an unsigned integer.
  json_writer& unsigned_integer(std::uint64_t value);
  /// Writes a number; NaN and infinities become 0 (JSON cannot carry them).
  json_writer& number(double value);
  /// Writes null.
  json_writer& null();
  /// Writes an already serialized compact JSON value as is.
  json_writer& raw(std::string_view json);
  /// Writes any parsed value.
  json_writer& value(const rapidjson::Value& json);

  /// The JSON written so far.
  std::string str() const;

private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

/// Compact JSON of a parsed value.
std::string to_json(const rapidjson::Value& value);

/// `{"jsonrpc":"2.0","id":<id_json>,"result":<result_json>}`.
std::string result_response(std::string_view id_json,
                            std::string_view result_json);

/// `{"jsonrpc":"2.0","id":<id_json>,"error":{code,message[,data]}}`; `data_json`
/// empty: no data member.
std::string error_response(std::string_view id_json, int code,
                           std::string_view text,
                           std::string_view data_json = {});

/// `{"jsonrpc":"2.0","method":<method>,"params":<params_json>}`.
std::string notification_message(std::string_view method,
                                  std::string_view params_json);

} // namespace cluster::mcp
