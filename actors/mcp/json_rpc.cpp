#include "actors/mcp/json_rpc.hpp"

#include "actors/utf8.hpp"

#include <rapidjson/error/en.h>

#include <cmath>

namespace cluster::mcp {

namespace {

constexpr auto strict_parse = rapidjson::kParseValidateEncodingFlag;

const rapidjson::Value* walk(const rapidjson::Value& root,
                             std::initializer_list<const char*> path) {
  const rapidjson::Value* at = &root;
  for (auto* name : path)
    if (at = find_member(at, name); at == nullptr)
      return nullptr;
  return at;
}

bool is_integer_literal(std::string_view text) {
  if (!text.empty() && text.front() == '-')
    text.remove_prefix(1);
  if (text.empty())
    return false;
  for (char c : text)
    if (c < '0' || c > '9')
      return false;
  return true;
}

} // namespace

const rapidjson::Value* find_member(const rapidjson::Value* object,
                                    const char* name) {
  if (object == nullptr || !object->IsObject())
    return nullptr;
  auto i = object->FindMember(name);
  return i == object->MemberEnd() ? nullptr : &i->value;
}

const rapidjson::Value* message::params() const {
  auto* p = find_member(&doc, "params");
  return p != nullptr && p->IsObject() ? p : nullptr;
}

std::optional<std::string>
message::id_at(std::initializer_list<const char*> path) const {
  auto* v = walk(doc, path);
  if (v == nullptr)
    return std::nullopt;
  if (v->IsString() || v->IsInt64() || v->IsUint64())
    return to_json(*v);
  if (!v->IsDouble())
    return std::nullopt;
  // RapidJSON turns integers beyond 64 bits into doubles; the raw digits are
  // what the client will match its response against, so read them again.
  rapidjson::Document raw;
  raw.Parse<strict_parse | rapidjson::kParseNumbersAsStringsFlag>(line.data(),
                                                                  line.size());
  auto* text = raw.HasParseError() ? nullptr : walk(raw, path);
  if (text == nullptr || !text->IsString())
    return std::nullopt;
  std::string_view digits{text->GetString(), text->GetStringLength()};
  if (!is_integer_literal(digits))
    return std::nullopt;
  return std::string{digits};
}

message parse_message(std::string_view line) {
  message m;
  auto reject = [&m](int code, std::string text) {
    m.kind = message_kind::invalid;
    m.error = code;
    m.error_text = std::move(text);
    return std::move(m);
  };
  m.line.assign(line);
  m.doc.Parse<strict_parse>(m.line.data(), m.line.size());
  if (m.doc.HasParseError())
    return reject(error_code::parse_error,
                  std::string{"Parse error: "}
                    + rapidjson::GetParseError_En(m.doc.GetParseError())
                    + " (at byte " + std::to_string(m.doc.GetErrorOffset())
                    + ")");
  if (m.doc.IsArray())
    return reject(error_code::invalid_request,
                  "Invalid Request: JSON-RPC batches are not supported");
  if (!m.doc.IsObject())
    return reject(error_code::invalid_request,
                  "Invalid Request: a message must be a JSON object");
  bool has_id = m.doc.HasMember("id");
  auto id = m.id_at({"id"});
  if (id)
    m.id = *id;
  auto* method = find_member(&m.doc, "method");
  if (method == nullptr) {
    if (has_id && (m.doc.HasMember("result") || m.doc.HasMember("error"))) {
      m.kind = message_kind::response;
      return m;
    }
    return reject(error_code::invalid_request,
                  "Invalid Request: missing \"method\"");
  }
  auto* version = find_member(&m.doc, "jsonrpc");
  if (version == nullptr || !version->IsString()
      || std::string_view{version->GetString()} != "2.0")
    return reject(error_code::invalid_request,
                  "Invalid Request: \"jsonrpc\" must be \"2.0\"");
  if (!method->IsString())
    return reject(error_code::invalid_request,
                  "Invalid Request: \"method\" must be a string");
  if (has_id && !id)
    return reject(error_code::invalid_request,
                  "Invalid Request: \"id\" must be a string or an integer");
  if (auto* p = find_member(&m.doc, "params"); p != nullptr && !p->IsObject())
    return reject(error_code::invalid_request,
                  "Invalid Request: \"params\" must be an object");
  m.method.assign(method->GetString(), method->GetStringLength());
  m.kind = has_id ? message_kind::request : message_kind::notification;
  return m;
}

json_writer::json_writer() : writer_(buffer_) {}

json_writer& json_writer::begin_object() {
  writer_.StartObject();
  return *this;
}

json_writer& json_writer::end_object() {
  writer_.EndObject();
  return *this;
}

json_writer& json_writer::begin_array() {
  writer_.StartArray();
  return *this;
}

json_writer& json_writer::end_array() {
  writer_.EndArray();
  return *this;
}

json_writer& json_writer::key(std::string_view name) {
  writer_.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  return *this;
}

json_writer& json_writer::string(std::string_view text) {
  // A single invalid byte would make the whole line undecodable for the
  // client, so even "already sanitized" text goes through the sanitizer.
  auto clean = sanitize_utf8(text);
  writer_.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
  return *this;
}

json_writer& json_writer::boolean(bool value) {
  writer_.Bool(value);
  return *this;
}

json_writer& json_writer::integer(std::int64_t value) {
  writer_.Int64(value);
  return *this;
}

json_writer& json_writer::unsigned_integer(std::uint64_t value) {
  writer_.Uint64(value);
  return *this;
}

json_writer& json_writer::number(double value) {
  // RapidJSON refuses non-finite doubles after having written the separator,
  // which would leave broken JSON behind.
  if (std::isfinite(value))
    writer_.Double(value);
  else
    writer_.Int(0);
  return *this;
}

json_writer& json_writer::null() {
  writer_.Null();
  return *this;
}

json_writer& json_writer::raw(std::string_view json) {
  writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  return *this;
}

json_writer& json_writer::value(const rapidjson::Value& json) {
  json.Accept(writer_);
  return *this;
}

std::string json_writer::str() const {
  return {buffer_.GetString(), buffer_.GetSize()};
}

std::string to_json(const rapidjson::Value& value) {
  json_writer w;
  w.value(value);
  return w.str();
}

std::string result_response(std::string_view id_json,
                            std::string_view result_json) {
  std::string out;
  out.reserve(40 + id_json.size() + result_json.size());
  out += R"({"jsonrpc":"2.0","id":)";
  out += id_json;
  out += R"(,"result":)";
  out += result_json;
  out += '}';
  return out;
}

std::string error_response(std::string_view id_json, int code,
                           std::string_view text, std::string_view data_json) {
  json_writer w;
  w.begin_object().key("jsonrpc").string("2.0").key("id").raw(id_json);
  w.key("error").begin_object().key("code").integer(code);
  w.key("message").string(text);
  if (!data_json.empty())
    w.key("data").raw(data_json);
  w.end_object().end_object();
  return w.str();
}

std::string notification_message(std::string_view method,
                                 std::string_view params_json) {
  json_writer w;
  w.begin_object().key("jsonrpc").string("2.0").key("method").string(method);
  w.key("params").raw(params_json).end_object();
  return w.str();
}

} // namespace cluster::mcp
