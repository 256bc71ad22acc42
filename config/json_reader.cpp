#include "config/json_reader.hpp"

#include "config/setting_parsers.hpp"

#include <algorithm>
#include <set>

namespace cluster {

std::string json_reader::where(const std::string& path) const {
  return file + ": " + path;
}

void json_reader::fail(const std::string& path, const std::string& text) const {
  throw config_error(where(path) + ": " + text);
}

void json_reader::wrong_type(const std::string& path, const json_value& v,
                             std::string_view expected) const {
  fail(path, "got " + describe(v) + " (expected " + std::string(expected) + ")");
}

std::string number_text(const json_value& v) {
  if (v.IsUint64())
    return std::to_string(v.GetUint64());
  if (v.IsInt64())
    return std::to_string(v.GetInt64());
  return format_number(v.GetDouble());
}

std::string describe(const json_value& v) {
  if (v.IsString())
    return "the string " + shown({v.GetString(), v.GetStringLength()});
  if (v.IsNumber())
    return "the number " + number_text(v);
  if (v.IsBool())
    return v.GetBool() ? "true" : "false";
  if (v.IsNull())
    return "null";
  return v.IsArray() ? "a list" : "an object";
}

std::string_view text_of(const json_value& v) {
  return {v.GetString(), v.GetStringLength()};
}

void check_keys(const json_reader& r, const json_value& obj,
                const std::string& path,
                std::initializer_list<std::string_view> known) {
  std::set<std::string_view> seen;
  for (auto& m : obj.GetObject()) {
    auto key = text_of(m.name);
    if (!seen.insert(key).second)
      r.fail(path, "key " + shown(key) + " appears twice");
    if (!key.empty() && key[0] == '_')
      continue;
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string expected;
      for (auto k : known)
        expected += (expected.empty() ? "" : ", ") + std::string(k);
      r.fail(path, "unknown key " + shown(key) + " (expected one of "
                     + expected + ", or a note key starting with '_')");
    }
  }
}

const json_value* member(const json_value& obj, const char* key) {
  auto i = obj.FindMember(key);
  return i == obj.MemberEnd() ? nullptr : &i->value;
}

std::string string_value(const json_reader& r, const json_value& v,
                         const std::string& path, std::string_view expected) {
  if (!v.IsString())
    r.wrong_type(path, v, expected);
  return std::string(text_of(v));
}

} // namespace cluster
