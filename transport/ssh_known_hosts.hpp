#pragma once

// Host-key verification against an OpenSSH known_hosts file, the way
// OpenSSH's StrictHostKeyChecking=yes / accept-new behave, minus what libssh2
// 1.10 cannot express (wildcards, certificates).

#include "transport/ssh_reactor.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <libssh2.h>

namespace cluster::transport {

/// "SHA256:" + unpadded base64 of the key blob's SHA-256, like ssh-keygen -l.
std::string key_fingerprint(std::string_view key_blob);

/// The endpoint's known_hosts_file, or ~/.ssh/known_hosts when empty.
std::string known_hosts_path(const ssh_endpoint& where);

/// The known_hosts entries of one host, read before the handshake and used
/// to check the key the server presents after it.
class known_hosts_check {
public:
  /// Reads the file (a missing file is an empty one). `session` must be
  /// initialised and outlive this object.
  known_hosts_check(LIBSSH2_SESSION* session, const ssh_endpoint& where);
  /// Nothing to release beyond members (libssh2 collections are per call).
  ~known_hosts_check();
  /// Holds a reference to its endpoint; not copyable.
  known_hosts_check(const known_hosts_check&) = delete;
  /// Holds a reference to its endpoint; not copyable.
  known_hosts_check& operator=(const known_hosts_check&) = delete;

  /// Host-key algorithms for libssh2_session_method_pref: the types already
  /// known for this host first (else libssh2 may pick another type and see
  /// NOTFOUND where OpenSSH would compare), then our default order.
  std::string method_preference() const;

  /// Checks the negotiated key after the handshake; under accept-new, records
  /// an unknown one. Returns an empty string when the key is acceptable, else
  /// why not.
  std::string verify();

private:
  std::string record_new_key(const std::string& blob, int type);

  LIBSSH2_SESSION* session_;
  const ssh_endpoint& where_;
  std::string path_;
  std::string read_error_;
  std::string content_;
  std::vector<std::string> known_types_;  // Method names, file order.
};

} // namespace cluster::transport
