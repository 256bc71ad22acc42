#include "config/node_file.hpp"

#include "config/json_reader.hpp"
#include "config/platform_names.hpp"
#include "config/policy_file.hpp"
#include "config/setting_parsers.hpp"
#include "config/text_file.hpp"

#include <arpa/inet.h>

#include <rapidjson/error/en.h>

#include <algorithm>
#include <initializer_list>
#include <map>
#include <set>

namespace cluster {

namespace {

using json = json_value;
using reader = json_reader;

constexpr std::uint64_t max_slots = 1024;

const char* const name_rule =
  "1 to 64 letters, digits, '.', '_' or '-'";

std::string name_value(const reader& r, const json& v, const std::string& path,
                       std::string_view what) {
  std::string expected = std::string(what) + ": " + name_rule;
  if (!v.IsString())
    r.wrong_type(path, v, expected);
  auto s = text_of(v);
  if (!is_node_name(s))
    reject_value(r.where(path), s, "is not a valid name", expected);
  return std::string(s);
}

std::uint32_t count_value(const reader& r, const json& v,
                          const std::string& path, std::uint64_t lo,
                          std::uint64_t hi) {
  if (!v.IsNumber())
    r.wrong_type(path, v,
                 "an integer from " + std::to_string(lo) + " to "
                   + std::to_string(hi));
  return parse_count(r.where(path), number_text(v), lo, hi);
}

/// A list of short free-form labels (capabilities, specialties).
std::vector<std::string> label_list(const reader& r, const json& v,
                                    const std::string& path) {
  constexpr std::string_view expected =
    "a list of non-empty names without control characters";
  if (!v.IsArray())
    r.wrong_type(path, v, expected);
  std::vector<std::string> out;
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    auto item_path = path + "[" + std::to_string(i) + "]";
    auto s = string_value(r, v[i], item_path, expected);
    bool ok = !s.empty() && s.size() <= 128
              && std::none_of(s.begin(), s.end(), [](unsigned char c) {
                   return c < 0x20 || c == 0x7f;
                 });
    if (!ok)
      reject_value(r.where(item_path), s, "is not a usable name", expected);
    out.push_back(std::move(s));
  }
  return out;
}

std::string platform_names(const std::vector<name_alias>& table) {
  std::string out;
  for (std::size_t i = 0; i < table.size(); ++i)
    out += (i == 0 ? "" : i + 1 == table.size() ? " or " : ", ")
           + std::string(table[i].first);
  return out;
}

void read_settings(const reader& r, const json& obj, node_file_contents& out) {
  if (!obj.IsObject())
    r.wrong_type("settings", obj, "an object of setting names to values");
  std::set<std::string_view> seen;
  for (auto& m : obj.GetObject()) {
    auto key = text_of(m.name);
    std::string path = "settings." + std::string(key);
    if (!seen.insert(key).second)
      r.fail("settings", "key " + shown(key) + " appears twice");
    if (!key.empty() && key[0] == '_')
      continue;
    auto* spec = find_setting(key);
    if (spec == nullptr) {
      std::string expected;
      for (auto& row : setting_table())
        expected += (expected.empty() ? "" : ", ") + std::string(row.key);
      r.fail("settings", "unknown setting " + shown(key) + " (expected one of "
                           + expected + ")");
    }
    std::string text;
    if (spec->kind == setting_kind::number) {
      if (!m.value.IsNumber())
        r.wrong_type(path, m.value, "a number");
      text = number_text(m.value);
    } else {
      text = string_value(r, m.value, path, "a string");
    }
    // Parsed here, into a scratch copy, so a bad value is reported with
    // its JSON path; load_cluster_config applies it again in layer order.
    settings scratch;
    spec->assign(scratch, text, r.where(path));
    out.settings.push_back({spec, std::move(text), r.where(path)});
  }
}

node_entry read_node(const reader& r, const json& obj, const std::string& path) {
  if (!obj.IsObject())
    r.wrong_type(path, obj, "an object describing a node");
  check_keys(r, obj, path,
             {"id", "aliases", "host", "ip", "port", "user", "identity_file",
              "os", "arch", "capabilities", "specialties", "slots", "local"});
  node_entry n;
  n.json_path = path;
  n.info.slots = 4;
  auto required = [&](const char* key, std::string_view expected) -> const json& {
    if (auto* v = member(obj, key))
      return *v;
    r.fail(path, std::string("\"") + key + "\" is missing (expected "
                   + std::string(expected) + ")");
  };
  n.info.id = name_value(r, required("id", std::string("a node id: ") + name_rule),
                         path + ".id", "a node id");
  if (auto* v = member(obj, "aliases")) {
    if (!v->IsArray())
      r.wrong_type(path + ".aliases", *v, "a list of names");
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i)
      n.info.aliases.push_back(name_value(
        r, (*v)[i], path + ".aliases[" + std::to_string(i) + "]", "an alias"));
  }
  if (auto* v = member(obj, "local")) {
    if (!v->IsBool())
      r.wrong_type(path + ".local", *v, "true or false");
    n.info.local = v->GetBool();
  }
  constexpr std::string_view host_rule =
    "a host name, an ssh_config alias or an IP address";
  if (auto* v = member(obj, "host")) {
    n.host = string_value(r, *v, path + ".host", host_rule);
    if (!is_host_name(n.host))
      reject_value(r.where(path + ".host"), n.host, "is not a host name",
                   host_rule);
  } else if (!n.info.local) {
    r.fail(path, "\"host\" is missing (expected " + std::string(host_rule)
                   + " for a node that is not local)");
  }
  if (auto* v = member(obj, "ip")) {
    n.ip = string_value(r, *v, path + ".ip", "an IPv4 or IPv6 address");
    if (!is_ip_literal(n.ip))
      reject_value(r.where(path + ".ip"), n.ip, "is not an IP address",
                   "an IPv4 or IPv6 address, e.g. 192.168.1.183");
  }
  if (auto* v = member(obj, "port"))
    n.port = static_cast<std::uint16_t>(
      count_value(r, *v, path + ".port", 1, 65535));
  if (auto* v = member(obj, "user"))
    n.user = parse_user_name(r.where(path + ".user"),
                             string_value(r, *v, path + ".user", "a login name"));
  if (auto* v = member(obj, "identity_file")) {
    constexpr std::string_view expected = "a key file path or a list of them";
    auto one = [&](const json& item, const std::string& item_path) {
      n.identity_files.push_back(parse_path(
        r.where(item_path), string_value(r, item, item_path, expected)));
    };
    if (v->IsArray()) {
      for (rapidjson::SizeType i = 0; i < v->Size(); ++i)
        one((*v)[i], path + ".identity_file[" + std::to_string(i) + "]");
    } else {
      one(*v, path + ".identity_file");
    }
  }
  auto os_rule = platform_names(os_names());
  auto os = string_value(r, required("os", os_rule), path + ".os", os_rule);
  auto canonical = canonical_os(os);
  if (!canonical)
    reject_value(r.where(path + ".os"), os, "is not a known OS", os_rule);
  n.info.os = *canonical;
  auto arch_rule = platform_names(arch_names());
  auto arch = string_value(r, required("arch", arch_rule), path + ".arch",
                           arch_rule);
  canonical = canonical_arch(arch);
  if (!canonical)
    reject_value(r.where(path + ".arch"), arch, "is not a known architecture",
                 arch_rule);
  n.info.arch = *canonical;
  if (auto* v = member(obj, "capabilities"))
    n.info.capabilities = label_list(r, *v, path + ".capabilities");
  if (auto* v = member(obj, "specialties"))
    n.info.specialties = label_list(r, *v, path + ".specialties");
  if (auto* v = member(obj, "slots")) {
    n.info.slots = count_value(r, *v, path + ".slots", 1, max_slots);
    n.slots_given = true;
  }
  return n;
}

/// Ids and aliases share one namespace (offload_to accepts both), and at
/// most one node may claim to be this machine.
void check_uniqueness(const reader& r, const std::vector<node_entry>& nodes) {
  std::map<std::string, std::string> owner;  // name -> JSON path naming it
  const node_entry* local = nullptr;
  for (auto& n : nodes) {
    auto claim = [&](const std::string& name, const std::string& path) {
      auto [it, fresh] = owner.emplace(name, path);
      if (!fresh)
        r.fail(path, shown(name) + " is already used by " + it->second
                       + " (expected ids and aliases unique across all nodes)");
    };
    claim(n.info.id, n.json_path + ".id");
    for (std::size_t i = 0; i < n.info.aliases.size(); ++i)
      claim(n.info.aliases[i],
            n.json_path + ".aliases[" + std::to_string(i) + "]");
    if (n.info.local) {
      if (local != nullptr)
        r.fail(n.json_path + ".local",
               "a second local node; " + local->json_path
                 + " is already local (expected at most one node with "
                   "\"local\": true)");
      local = &n;
    }
  }
}

} // namespace

bool is_node_name(std::string_view name) {
  if (name.empty() || name.size() > 64)
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

bool is_ip_literal(std::string_view text) {
  std::string s(text);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1
         || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool is_host_name(std::string_view text) {
  if (text.empty() || text.size() > 253 || text.front() == '-')
    return false;
  if (is_ip_literal(text))
    return true;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

node_file_contents parse_node_file(std::string_view text,
                                   const std::string& path) {
  reader r{path};
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    auto offset = doc.GetErrorOffset();
    auto before = text.substr(0, std::min(offset, text.size()));
    auto line = 1 + std::count(before.begin(), before.end(), '\n');
    auto last_nl = before.rfind('\n');
    auto column = last_nl == std::string_view::npos ? offset + 1
                                                    : offset - last_nl;
    throw config_error(path + ": invalid JSON at line " + std::to_string(line)
                       + ", column " + std::to_string(column) + " (offset "
                       + std::to_string(offset)
                       + "): " + rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject())
    r.fail("(top level)", "got " + describe(doc)
                            + " (expected an object with \"settings\", "
                              "\"nodes\" and \"policy\")");
  check_keys(r, doc, "(top level)", {"settings", "nodes", "policy"});
  node_file_contents out;
  out.path = path;
  if (auto* s = member(doc, "settings"))
    read_settings(r, *s, out);
  if (auto* p = member(doc, "policy"))
    out.policy = read_policy(r, *p, "policy");
  if (auto* nodes = member(doc, "nodes")) {
    if (!nodes->IsArray())
      r.wrong_type("nodes", *nodes, "a list of node objects");
    for (rapidjson::SizeType i = 0; i < nodes->Size(); ++i)
      out.nodes.push_back(
        read_node(r, (*nodes)[i], "nodes[" + std::to_string(i) + "]"));
  }
  check_uniqueness(r, out.nodes);
  return out;
}

node_file_contents read_node_file(const std::string& path) {
  auto file = read_text_file(path);
  if (!file.ok)
    throw config_error(path + ": cannot read the node file: " + file.error);
  return parse_node_file(file.contents, path);
}

} // namespace cluster
