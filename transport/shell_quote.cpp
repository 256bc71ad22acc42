#include "transport/shell_quote.hpp"

namespace cluster::transport {

std::string shell_quote(std::string_view arg) {
  // Inside single quotes every byte but ' is literal in POSIX sh and bash
  // alike (no $, `, \ or ! processing), so the only escape needed is to
  // close the quote, emit an escaped quote and reopen: '\''. Quoting even
  // "safe" words keeps the output predictable and easy to audit.
  std::string out;
  out.reserve(arg.size() + 2);
  out += '\'';
  for (char c : arg) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += '\'';
  return out;
}

std::string join_command(const std::vector<std::string>& argv) {
  // One argument is the user's own shell text (`submit 'ls | wc -l'`);
  // quoting it would turn the pipeline into a file name.
  if (argv.size() == 1)
    return argv.front();
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty())
      out += ' ';
    out += shell_quote(arg);
  }
  return out;
}

} // namespace cluster::transport
