#include "transport/ssh_auth.hpp"

#include "transport/sha256.hpp"
#include "transport/ssh_session.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <vector>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cluster::transport {

namespace {

using steady = std::chrono::steady_clock;

/// sshd's MaxAuthTries (6 by default) counts every refused key; an agent
/// with many keys must leave room for the identity files.
constexpr int agent_key_limit = 3;

std::optional<std::string_view> read_string(std::string_view& s) {
  if (s.size() < 4)
    return std::nullopt;
  std::uint32_t n = std::uint32_t(std::uint8_t(s[0])) << 24 | std::uint32_t(std::uint8_t(s[1])) << 16 |
                    std::uint32_t(std::uint8_t(s[2])) << 8 | std::uint32_t(std::uint8_t(s[3]));
  s.remove_prefix(4);
  if (n > s.size())
    return std::nullopt;
  auto out = s.substr(0, n);
  s.remove_prefix(n);
  return out;
}

/// A public-key blob starts with its type name.
std::string blob_key_type(std::string_view blob) {
  auto type = read_string(blob);
  return type ? std::string(*type) : std::string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string home_dir() {
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0')
    return home;
  const passwd* pw = ::getpwuid(::getuid());
  return pw != nullptr ? pw->pw_dir : "/";
}

/// Type from the unencrypted public half of an OpenSSH-format private key.
std::string openssh_private_key_type(const std::string& text) {
  const std::string begin = "-----BEGIN OPENSSH PRIVATE KEY-----";
  auto from = text.find(begin);
  auto to = text.find("-----END OPENSSH PRIVATE KEY-----");
  if (from == std::string::npos || to == std::string::npos || to < from)
    return {};
  std::string b64;
  for (char c : text.substr(from + begin.size(), to - from - begin.size()))
    if (c != '\n' && c != '\r' && c != ' ')
      b64 += c;
  auto raw = base64_decode(b64);
  constexpr std::string_view magic{"openssh-key-v1\0", 15};
  if (!raw || raw->compare(0, magic.size(), magic) != 0)
    return {};
  std::string_view s = std::string_view(*raw).substr(magic.size());
  for (int i = 0; i < 3; ++i) // cipher, kdf, kdf options
    if (!read_string(s))
      return {};
  if (s.size() < 4)
    return {};
  s.remove_prefix(4); // number of keys
  auto pub = read_string(s);
  return pub ? blob_key_type(*pub) : std::string();
}

/// Sets libssh2's per-call timeout to what is left; false when nothing is.
bool arm_timeout(LIBSSH2_SESSION* session, steady::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - steady::now()).count();
  if (left <= 0)
    return false;
  libssh2_session_set_timeout(session, long(left));
  return true;
}

/// The keys tried so far, for the final message.
struct attempts {
  std::vector<std::string> lines;
  int refused = 0;
  bool rsa_refused = false;

  void refuse(const std::string& label, const std::string& type, const std::string& why) {
    lines.push_back(label + ": " + why);
    ++refused;
    rsa_refused = rsa_refused || type == "ssh-rsa";
  }
};

std::string who(const ssh_endpoint& where) {
  return where.user + "@" + describe_node(where);
}

/// A dropped link after refused keys is sshd enforcing MaxAuthTries: an
/// authentication problem, not a network one.
auth_verdict interrupted(const ssh_endpoint& where, LIBSSH2_SESSION* session, const attempts& a) {
  if (a.refused > 0)
    return {ssh_failure::auth, "authentication as " + who(where) +
                                   " failed: the server closed the connection after " +
                                   std::to_string(a.refused) + " refused key(s) (MaxAuthTries)"};
  return {ssh_failure::connection,
          "connection to " + describe_node(where) + " lost during authentication: " +
              last_ssh_error(session)};
}

std::string describe_file_error(int rc, LIBSSH2_SESSION* session) {
  switch (rc) {
  case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
    return "refused by the server";
  case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
  case LIBSSH2_ERROR_FILE:
    return "unusable (unreadable, or protected by a passphrase: load it into ssh-agent) [" +
           last_ssh_error(session) + "]";
  default:
    return last_ssh_error(session);
  }
}

} // namespace

std::string identity_key_type(const std::string& path) {
  std::istringstream pub(slurp(path + ".pub"));
  std::string type;
  if ((pub >> type) && (type.rfind("ssh-", 0) == 0 || type.rfind("ecdsa-", 0) == 0))
    return type;
  std::string text = slurp(path);
  if (text.find("-----BEGIN RSA PRIVATE KEY-----") != std::string::npos)
    return "ssh-rsa";
  if (text.find("-----BEGIN EC PRIVATE KEY-----") != std::string::npos)
    return "ecdsa";
  return openssh_private_key_type(text);
}

auth_verdict authenticate(LIBSSH2_SESSION* session, const ssh_endpoint& where,
                          steady::time_point deadline) {
  const auto& user = where.user;
  auto timed_out = [&] {
    return auth_verdict{ssh_failure::connection,
                        "authentication as " + who(where) + " did not finish within " +
                            std::to_string(where.ssh_timeout.count()) + " ms"};
  };
  if (!arm_timeout(session, deadline))
    return timed_out();
  const char* methods = libssh2_userauth_list(session, user.c_str(), unsigned(user.size()));
  if (methods == nullptr) {
    if (libssh2_userauth_authenticated(session))
      return {}; // "none" was accepted.
    return auth_verdict{ssh_failure::connection, "cannot ask " + describe_node(where) +
                                                     " for auth methods: " + last_ssh_error(session)};
  }
  if (std::strstr(methods, "publickey") == nullptr)
    return {ssh_failure::auth, "authentication as " + who(where) +
                                   " impossible: the server offers no public-key auth (only " +
                                   methods + ")"};
  attempts tried;

  // The agent first, like OpenSSH; an unset or dead socket is no error.
  const char* agent_socket = std::getenv("SSH_AUTH_SOCK");
  if (agent_socket != nullptr && *agent_socket != '\0') {
    LIBSSH2_AGENT* agent = libssh2_agent_init(session);
    bool done = false;
    std::optional<auth_verdict> verdict;
    if (agent != nullptr && libssh2_agent_connect(agent) == 0 &&
        libssh2_agent_list_identities(agent) == 0) {
      libssh2_agent_publickey* id = nullptr;
      libssh2_agent_publickey* prev = nullptr;
      for (int n = 0; !done && n < agent_key_limit &&
                      libssh2_agent_get_identity(agent, &id, prev) == 0;
           ++n, prev = id) {
        if (!arm_timeout(session, deadline)) {
          verdict = timed_out();
          break;
        }
        std::string type = blob_key_type({reinterpret_cast<const char*>(id->blob), id->blob_len});
        int rc = libssh2_agent_userauth(agent, user.c_str(), id);
        if (rc == 0) {
          done = true;
        } else if (is_connection_error(rc)) {
          verdict = interrupted(where, session, tried);
        } else {
          tried.refuse("agent key '" + std::string(id->comment ? id->comment : "") + "' (" +
                           type + ")",
                       type, "refused");
        }
        if (verdict)
          break;
      }
      libssh2_agent_disconnect(agent);
    }
    if (agent != nullptr)
      libssh2_agent_free(agent);
    if (done)
      return {};
    if (verdict)
      return *verdict;
  }

  std::vector<std::string> files = where.identity_files;
  if (files.empty())
    for (const char* name : {"id_ed25519", "id_ecdsa", "id_rsa"})
      if (is_file(home_dir() + "/.ssh/" + name))
        files.push_back(home_dir() + "/.ssh/" + name);
  for (const auto& path : files) {
    if (!is_file(path)) {
      tried.lines.push_back(path + ": no such file");
      continue;
    }
    if (!arm_timeout(session, deadline))
      return timed_out();
    std::string type = identity_key_type(path);
    int rc = libssh2_userauth_publickey_fromfile_ex(session, user.c_str(), unsigned(user.size()),
                                                    nullptr, path.c_str(), "");
    if (rc == 0)
      return {};
    if (is_connection_error(rc))
      return rc == LIBSSH2_ERROR_TIMEOUT ? timed_out() : interrupted(where, session, tried);
    tried.refuse(path + (type.empty() ? "" : " (" + type + ")"), type,
                 describe_file_error(rc, session));
  }

  std::string message = "authentication as " + who(where) + " failed; ";
  if (tried.lines.empty()) {
    message += "no keys to try (no ssh-agent in SSH_AUTH_SOCK, and none of ~/.ssh/id_ed25519, "
               "id_ecdsa, id_rsa exists)";
  } else {
    message += "tried: ";
    for (std::size_t i = 0; i < tried.lines.size(); ++i)
      message += (i ? "; " : "") + tried.lines[i];
  }
  if (tried.rsa_refused)
    message += ". Note: libssh2 1.10 signs RSA keys only with SHA-1 (ssh-rsa), which OpenSSH "
               "8.8 and later refuse by default: use an ed25519 or ECDSA key, or allow it on "
               "the server with 'PubkeyAcceptedAlgorithms +ssh-rsa'";
  return {ssh_failure::auth, message};
}

} // namespace cluster::transport
