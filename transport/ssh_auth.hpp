#pragma once

// Public-key user authentication the way OpenSSH's BatchMode does it: the
// agent's keys, then identity files, never a prompt.

#include "transport/ssh_reactor.hpp"

#include <chrono>
#include <string>

#include <libssh2.h>

namespace cluster::transport {

/// How authentication ended: `failure` none, auth, or connection.
struct auth_verdict {
  ssh_failure failure = ssh_failure::none;  ///< none when authenticated.
  std::string error;  ///< Names user, host and every key tried.
};

/// Authenticates `session` (blocking mode) as `where.user`, giving up at
/// `deadline`.
auth_verdict authenticate(LIBSSH2_SESSION* session, const ssh_endpoint& where,
                          std::chrono::steady_clock::time_point deadline);

/// The key type ("ssh-ed25519", "ssh-rsa", ...) of a private key file, read
/// from `path.pub` or the file itself; empty when it cannot tell.
std::string identity_key_type(const std::string& path);

} // namespace cluster::transport
