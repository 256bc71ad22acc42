#pragma once

// Reading a JSON configuration strictly: every message names the file, the
// JSON path (e.g. `nodes[2].port`) and what was expected.

#include "config/settings.hpp"

#include <rapidjson/document.h>

#include <initializer_list>
#include <string>
#include <string_view>

namespace cluster {

/// A value of a parsed JSON document.
using json_value = rapidjson::Value;

/// Where a parser stands: the file, for every message.
struct json_reader {
  const std::string& file;  ///< The file's path, as messages name it.

  /// "file: path", the start of every message.
  std::string where(const std::string& path) const;

  /// Throws `config_error` as "file: path: text".
  [[noreturn]] void fail(const std::string& path, const std::string& text) const;

  /// Throws for a value of the wrong JSON type, saying what was expected.
  [[noreturn]] void wrong_type(const std::string& path, const json_value& v,
                               std::string_view expected) const;
};

/// A JSON number as decimal text, integers without a fraction.
std::string number_text(const json_value& v);

/// The value as a message shows it: strings quoted and escaped, containers
/// by kind only (they can be large).
std::string describe(const json_value& v);

/// A string value's text (the value must be a string).
std::string_view text_of(const json_value& v);

/// Rejects duplicate and unknown keys of `obj`; keys starting with '_' are notes.
void check_keys(const json_reader& r, const json_value& obj,
                const std::string& path,
                std::initializer_list<std::string_view> known);

/// The member `key` of the object `obj`, or nullptr.
const json_value* member(const json_value& obj, const char* key);

/// The string `v`, or a `config_error` saying `expected`.
std::string string_value(const json_reader& r, const json_value& v,
                         const std::string& path, std::string_view expected);

} // namespace cluster
