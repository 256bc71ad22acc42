#include "config/policy_file.hpp"

#include "config/setting_parsers.hpp"

#include <algorithm>
#include <functional>

namespace cluster {

namespace {

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) {
    return (c < 0x20 && c != '\t') || c == 0x7f;
  });
}

// A list of strings, each checked by `check` (which names the problem or
// returns empty).
std::vector<std::string>
string_list(const json_reader& r, const json_value& v, const std::string& path,
            std::string_view expected,
            const std::function<std::string(const std::string&)>& check) {
  if (!v.IsArray())
    r.wrong_type(path, v, expected);
  std::vector<std::string> out;
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    auto item_path = path + "[" + std::to_string(i) + "]";
    auto s = string_value(r, v[i], item_path, expected);
    if (auto problem = check(s); !problem.empty())
      reject_value(r.where(item_path), s, problem, expected);
    out.push_back(std::move(s));
  }
  return out;
}

std::string rule_list() {
  std::string out;
  for (auto name : policy_rule_names)
    out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

} // namespace

command_policy read_policy(const json_reader& r, const json_value& v,
                           const std::string& path) {
  if (!v.IsObject())
    r.wrong_type(path, v,
                 "an object with \"disable\", \"allow\" and \"deny_programs\"");
  check_keys(r, v, path, {"disable", "allow", "deny_programs"});
  command_policy p;
  if (auto* d = member(v, "disable"))
    p.disabled = string_list(r, *d, path + ".disable",
                             "a list of rule names: " + rule_list(),
                             [](const std::string& s) {
                               return is_policy_rule(s) ? "" : "is not a rule";
                             });
  if (auto* a = member(v, "allow"))
    p.allow = string_list(
      r, *a, path + ".allow",
      "a list of commands (a whole command, or the first words of one)",
      [](const std::string& s) -> std::string {
        if (s.find_first_not_of(" \t") == std::string::npos)
          return "is empty";
        return has_control(s) ? "has control characters" : "";
      });
  if (auto* d = member(v, "deny_programs"))
    p.deny_programs = string_list(
      r, *d, path + ".deny_programs",
      "a list of program names without '/' or blanks, e.g. \"reboot\"",
      [](const std::string& s) -> std::string {
        bool ok = !s.empty() && s.find_first_of("/ \t") == std::string::npos
                  && !has_control(s);
        return ok ? "" : "is not a program name";
      });
  return p;
}

} // namespace cluster
