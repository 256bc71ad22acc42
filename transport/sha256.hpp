#pragma once

// SHA-256 and base64, enough for OpenSSH-style key fingerprints
// ("SHA256:" + unpadded base64), over OpenSSL's libcrypto (which libssh2
// already links).

#include <optional>
#include <string>
#include <string_view>

namespace cluster::transport {

/// The 32-byte SHA-256 digest of `data`, as raw bytes.
std::string sha256(std::string_view data);

/// Lower-case hex of `bytes` (e.g. to compare with sha256sum's output).
std::string to_hex(std::string_view bytes);

/// Standard base64 of `bytes`; `pad` adds the trailing '='s.
std::string base64_encode(std::string_view bytes, bool pad = true);

/// Decodes standard base64 (padding optional); nullopt on any other byte.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace cluster::transport
