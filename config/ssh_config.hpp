#pragma once

// A reader for OpenSSH client config files (~/.ssh/config), limited to what
// reaching a node needs: HostName, User, Port and IdentityFile per host.
//
// Supported as OpenSSH does it: `Host` lines with several patterns, `*`, `?`
// and negation `!pat`; keywords in any case; `key value` and `key=value`;
// double and single quotes; `#` comments; the first value obtained wins,
// except IdentityFile, which accumulates; `Include` with several paths,
// `~`, globs, relative paths under ~/.ssh, nested up to 16 deep, a missing
// file skipped; tokens %% %d %h %i %L %l %n %p %r %u in IdentityFile, %% %h
// in HostName; `~` in IdentityFile.
// Not supported: `Match` criteria. A `Match` block's contents are ignored
// (read for syntax only), except `Match all`, which is the same as `Host *`.
// Tokens and environment variables in Include paths are not expanded.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cluster {

/// Machine facts that tokens and `~` stand for.
struct ssh_config_context {
  std::string home;        ///< %d, `~`, and the base of relative Includes (home/.ssh).
  std::string local_user;  ///< %u.
  std::string local_host;  ///< %l; its first label is %L.
  std::uint32_t uid = 0;   ///< %i.
};

/// The context of this process: home from $HOME (else passwd), user, host name, uid.
ssh_config_context current_ssh_config_context();

/// What the config says about one host; fields it does not set stay empty.
struct ssh_host_settings {
  std::optional<std::string> hostname;       ///< HostName, tokens expanded.
  std::optional<std::string> user;           ///< User.
  std::optional<std::uint16_t> port;         ///< Port.
  std::vector<std::string> identity_files;   ///< In order, expanded, no duplicates.
};

/// A host to look up, with what the caller already fixed (for %r and %p).
struct ssh_host_query {
  std::string host;                   ///< The alias, as typed after `ssh`.
  std::optional<std::string> user;    ///< Fixed elsewhere: wins for %r.
  std::optional<std::uint16_t> port;  ///< Fixed elsewhere: wins for %p.
  std::string default_user;           ///< %r when neither the caller nor User sets one.
};

/// A parsed OpenSSH client config, Includes inlined.
class ssh_client_config {
public:
  /// Reads `path`; missing or unreadable is an empty config, or an error when `required`.
  static ssh_client_config read(const std::string& path,
                                const ssh_config_context& ctx,
                                bool required = false);

  /// Parses `text` as the contents of the file `path` (named in errors).
  static ssh_client_config parse(std::string_view text, const std::string& path,
                                 const ssh_config_context& ctx);

  /// What applies to `q.host`; throws `config_error` (file:line) for an unsupported token.
  ssh_host_settings lookup(const ssh_host_query& q) const;

  /// Directives read, across all Included files (for tests and diagnostics).
  std::size_t size() const {
    return directives_.size();
  }

private:
  /// One Host line's patterns, or the always/never blocks outside Host.
  struct host_condition {
    std::vector<std::string> patterns;  ///< Lowercase; "!" prefix negates.
    bool always = false;                ///< Before any Host, or `Match all`.
    bool never = false;                 ///< Inside an unsupported Match block.
  };

  /// A HostName, User, Port or IdentityFile line and the blocks it sits in.
  struct directive {
    std::vector<std::size_t> guards;  ///< Indexes into conditions_; all must match.
    std::string keyword;              ///< Lowercase.
    std::string value;
    std::string file;
    std::size_t line = 0;
  };

  void parse_file(std::string_view text, const std::string& path,
                  const std::vector<std::size_t>& outer, int depth);
  void include(const std::vector<std::string>& patterns,
               const std::vector<std::size_t>& guards, const std::string& file,
               std::size_t line, int depth);
  bool applies(const directive& d, std::string_view host) const;

  ssh_config_context ctx_;
  std::vector<host_condition> conditions_;
  std::vector<directive> directives_;
};

/// True when `host` matches the glob `pattern` (`*`, `?`), ignoring case.
bool ssh_pattern_match(std::string_view pattern, std::string_view host);

/// Replaces a leading `~` or `~/` by `home`; other paths are returned as they are.
std::string expand_tilde(const std::string& path, const std::string& home);

} // namespace cluster
