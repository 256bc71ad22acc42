#pragma once

// Helpers shared by the MCP protocol tests: feed lines to a session, parse
// the replies, and check structured content against a tool's outputSchema.

#include "actors/mcp/mcp_session.hpp"

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

namespace mcp_test {

using namespace cluster;
using namespace cluster::mcp;
using json = rapidjson::Value;

/// `_meta` that makes a request modern (2026-07-28).
inline const std::string modern_meta
  = R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
    R"("io.modelcontextprotocol/clientCapabilities":{}})";

/// Parses one output line, which must be a single line of valid JSON.
inline rapidjson::Document parse(const std::string& line) {
  BOOST_TEST_INFO("line: " << line);
  BOOST_REQUIRE(line.find('\n') == std::string::npos);
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(line.c_str(), line.size());
  BOOST_REQUIRE(!doc.HasParseError());
  BOOST_REQUIRE(doc.IsObject());
  return doc;
}

/// Handles `line`, which must produce exactly one reply and no call.
inline rapidjson::Document only_reply(session& s, const std::string& line) {
  auto in = s.handle(line);
  BOOST_TEST_INFO("input: " << line);
  BOOST_REQUIRE_EQUAL(in.replies.size(), 1u);
  BOOST_REQUIRE(!in.call);
  return parse(in.replies.front());
}

/// A request line; `params` is the inside of the params object.
inline std::string request(const std::string& id, const std::string& method,
                           const std::string& params = "") {
  return R"({"jsonrpc":"2.0","id":)" + id + R"(,"method":")" + method + "\""
         + (params.empty() ? "" : ",\"params\":{" + params + "}") + "}";
}

/// A tools/call request line with id 7; `extra` adds params members.
inline std::string call(const std::string& tool, const std::string& arguments,
                        const std::string& extra = "") {
  return request("7", "tools/call",
                 R"("name":")" + tool + "\""
                   + (arguments.empty() ? "" : ",\"arguments\":" + arguments)
                   + (extra.empty() ? "" : "," + extra));
}

/// A JSON string value as std::string.
inline std::string str(const json& v) {
  return {v.GetString(), v.GetStringLength()};
}

/// The reply's id as compact JSON.
inline std::string id_text(const rapidjson::Document& reply) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  reply["id"].Accept(w);
  return buf.GetString();
}

/// Checks that `line` is answered with error `code` for id `id`.
inline void check_error(session& s, const std::string& line, int code,
                 const std::string& id) {
  auto r = only_reply(s, line);
  BOOST_TEST(r["error"]["code"].GetInt() == code);
  BOOST_TEST(r["error"]["message"].IsString());
  BOOST_TEST(id_text(r) == id);
  BOOST_TEST(!r.HasMember("result"));
}

/// The text of the isError result refusing `arguments`.
inline std::string argument_error(session& s, const std::string& tool,
                           const std::string& arguments) {
  auto r = only_reply(s, call(tool, arguments));
  BOOST_TEST(r["result"]["isError"].GetBool());
  return str(r["result"]["content"][0]["text"]);
}

/// Handles `line`, which must produce a call and no reply.
inline tool_call accepted(session& s, const std::string& line) {
  auto in = s.handle(line);
  BOOST_TEST_INFO("input: " << line);
  BOOST_REQUIRE(in.replies.empty());
  BOOST_REQUIRE(in.call);
  return *in.call;
}

/// The first place `v` breaks `schema` (type, enum, minimum, required,
/// properties, additionalProperties, items, oneOf), or empty.
inline std::string violation(const json& schema, const json& v, const std::string& at) {
  if (schema.HasMember("oneOf")) {
    int matched = 0;
    std::string why;
    for (auto& branch : schema["oneOf"].GetArray()) {
      auto bad = violation(branch, v, at);
      matched += bad.empty();
      why += (why.empty() ? "" : " | ") + bad;
    }
    if (matched != 1)
      return at + ": matches " + std::to_string(matched)
             + " oneOf branches (" + why + ")";
  }
  if (schema.HasMember("type")) {
    auto fits = [&](const json& t) {
      auto n = str(t);
      return (n == "object" && v.IsObject()) || (n == "array" && v.IsArray())
             || (n == "string" && v.IsString()) || (n == "boolean" && v.IsBool())
             || (n == "null" && v.IsNull()) || (n == "number" && v.IsNumber())
             || (n == "integer" && (v.IsInt64() || v.IsUint64()));
    };
    bool ok = false;
    if (schema["type"].IsArray())
      for (auto& t : schema["type"].GetArray())
        ok = ok || fits(t);
    else
      ok = fits(schema["type"]);
    if (!ok)
      return at + ": wrong type";
  }
  if (schema.HasMember("enum")) {
    bool listed = false;
    for (auto& e : schema["enum"].GetArray())
      listed = listed || e == v;
    if (!listed)
      return at + ": not in enum";
  }
  if (schema.HasMember("minimum") && v.IsNumber()
      && v.GetDouble() < schema["minimum"].GetDouble())
    return at + ": below minimum";
  if (v.IsObject()) {
    if (schema.HasMember("required"))
      for (auto& name : schema["required"].GetArray())
        if (!v.HasMember(name))
          return at + "." + str(name) + ": missing";
    for (auto& m : v.GetObject()) {
      auto key = at + "." + str(m.name);
      const json* sub = nullptr;
      if (schema.HasMember("properties") && schema["properties"].HasMember(m.name))
        sub = &schema["properties"][m.name];
      else if (schema.HasMember("additionalProperties")) {
        if (schema["additionalProperties"].IsFalse())
          return key + ": not allowed";
        sub = &schema["additionalProperties"];
      }
      if (sub != nullptr)
        if (auto bad = violation(*sub, m.value, key); !bad.empty())
          return bad;
    }
  }
  if (v.IsArray() && schema.HasMember("items"))
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
      if (auto bad = violation(schema["items"], v[i],
                               at + "[" + std::to_string(i) + "]");
          !bad.empty())
        return bad;
  return {};
}

/// Checks a reply's structuredContent against the tool's outputSchema.
inline void check_output(const std::string& tool, const rapidjson::Document& reply) {
  session s;
  auto list = only_reply(s, request("1", "tools/list"));
  int checked = 0;
  for (auto& t : list["result"]["tools"].GetArray())
    if (str(t["name"]) == tool && ++checked)
      BOOST_TEST(violation(t["outputSchema"], reply["result"]["structuredContent"],
                           tool)
                 == "");
  BOOST_TEST(checked == 1);
}

} // namespace mcp_test
