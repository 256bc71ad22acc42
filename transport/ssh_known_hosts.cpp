#include "transport/ssh_known_hosts.hpp"

#include "transport/sha256.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cluster::transport {

namespace {

/// The two numberings libssh2 uses for one key type, and its OpenSSH name.
struct key_kind {
  int hostkey_type;
  int knownhost_bit;
  const char* name;
};

constexpr key_kind kinds[] = {
    {LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521"},
    {LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA, "ssh-rsa"},
    {LIBSSH2_HOSTKEY_TYPE_DSS, LIBSSH2_KNOWNHOST_KEY_SSHDSS, "ssh-dss"},
};

/// OpenSSH's order; ssh-dss only when known_hosts asks for it.
constexpr const char* default_preference =
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,ssh-rsa";

constexpr int check_flags = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW;

const key_kind* kind_of_hostkey(int type) {
  for (const auto& k : kinds)
    if (k.hostkey_type == type)
      return &k;
  return nullptr;
}

const key_kind* kind_of_entry(int typemask) {
  for (const auto& k : kinds)
    if (k.knownhost_bit == (typemask & LIBSSH2_KNOWNHOST_KEY_MASK))
      return &k;
  return nullptr;
}

std::string check_name(const ssh_endpoint& where) {
  return where.host_key_name.empty() ? where.address : where.host_key_name;
}

/// The name as OpenSSH records it: `[host]:port` off port 22.
std::string recorded_name(const ssh_endpoint& where) {
  if (where.port == 22)
    return check_name(where);
  return "[" + check_name(where) + "]:" + std::to_string(where.port);
}

std::string whose(const ssh_endpoint& where) {
  return "host key for " + check_name(where) + " (node " + where.node + ", " + where.address +
         ":" + std::to_string(where.port) + ")";
}

/// A file's contents; a missing file reads as empty.
bool read_all(int fd, std::string& out) {
  out.clear();
  char buf[8192];
  for (off_t at = 0;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return false;
    if (n == 0)
      return true;
    out.append(buf, std::size_t(n));
    at += n;
  }
}

std::string read_known_hosts(const std::string& path, std::string& content) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    content.clear();
    return errno == ENOENT ? std::string()
                           : "cannot read known_hosts " + path + ": " + std::strerror(errno);
  }
  bool ok = read_all(fd, content);
  int err = errno;
  ::close(fd);
  return ok ? std::string() : "cannot read known_hosts " + path + ": " + std::strerror(err);
}

/// known_hosts text loaded into libssh2, minus the marker lines it would
/// misread as host names; @revoked keys are kept aside and refused.
struct host_entries {
  LIBSSH2_KNOWNHOSTS* kh;
  std::vector<std::string> revoked;

  host_entries(LIBSSH2_SESSION* session, std::string_view content)
      : kh(libssh2_knownhost_init(session)) {
    while (!content.empty()) {
      auto eol = content.find('\n');
      std::string_view line = content.substr(0, eol);
      content.remove_prefix(eol == std::string_view::npos ? content.size() : eol + 1);
      while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
        line.remove_suffix(1);
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
        line.remove_prefix(1);
      if (line.empty() || line.front() == '#')
        continue;
      if (line.front() == '@') {
        if (line.substr(0, 9) == "@revoked ")
          remember_revoked(line);
        continue; // @cert-authority: libssh2 1.10 has no certificates.
      }
      // libssh2 looks one byte past the line for its newline, so give it
      // one (a copy, NUL-terminated); lines of unknown types are skipped.
      std::string text(line);
      text += '\n';
      if (kh != nullptr)
        libssh2_knownhost_readline(kh, text.c_str(), text.size(), LIBSSH2_KNOWNHOST_FILE_OPENSSH);
    }
  }
  ~host_entries() {
    if (kh != nullptr)
      libssh2_knownhost_free(kh);
  }
  host_entries(const host_entries&) = delete;
  host_entries& operator=(const host_entries&) = delete;

  void remember_revoked(std::string_view line) {
    // @revoked HOSTS TYPE BASE64 [comment]: field 4 is the key.
    std::vector<std::string_view> fields;
    while (!line.empty() && fields.size() < 4) {
      auto start = line.find_first_not_of(" \t");
      if (start == std::string_view::npos)
        break;
      line.remove_prefix(start);
      auto end = std::min(line.find_first_of(" \t"), line.size());
      fields.push_back(line.substr(0, end));
      line.remove_prefix(end);
    }
    if (fields.size() == 4)
      if (auto blob = base64_decode(fields[3]))
        revoked.push_back(*blob);
  }

  int check(const ssh_endpoint& where, std::string_view blob, const key_kind& kind) const {
    if (kh == nullptr)
      return LIBSSH2_KNOWNHOST_CHECK_FAILURE;
    struct libssh2_knownhost* found = nullptr;
    return libssh2_knownhost_checkp(kh, check_name(where).c_str(), where.port, blob.data(),
                                    blob.size(), check_flags | kind.knownhost_bit, &found);
  }

  /// Every (kind, key blob) recorded for the endpoint's host: an entry
  /// belongs to the host when checking the host with that entry's own key
  /// matches, which also works for hashed names.
  std::vector<std::pair<const key_kind*, std::string>> keys_for(const ssh_endpoint& where) const {
    std::vector<std::pair<const key_kind*, std::string>> out;
    struct libssh2_knownhost* prev = nullptr;
    struct libssh2_knownhost* entry = nullptr;
    while (kh != nullptr && libssh2_knownhost_get(kh, &entry, prev) == 0) {
      prev = entry;
      const key_kind* kind = kind_of_entry(entry->typemask);
      auto blob = kind && entry->key ? base64_decode(entry->key) : std::nullopt;
      if (!blob || check(where, *blob, *kind) != LIBSSH2_KNOWNHOST_CHECK_MATCH)
        continue;
      bool seen = std::any_of(out.begin(), out.end(), [&](const auto& k) { return k.second == *blob; });
      if (!seen)
        out.emplace_back(kind, *blob);
    }
    return out;
  }

  bool is_revoked(std::string_view blob) const {
    return std::find(revoked.begin(), revoked.end(), blob) != revoked.end();
  }
};

std::string describe_key(const key_kind& kind, std::string_view blob) {
  return std::string(kind.name) + " " + key_fingerprint(blob);
}

/// The verdict for a key not MATCHed, given what the file says of the host.
std::string changed_key_error(const ssh_endpoint& where, const std::string& path,
                              const std::vector<std::pair<const key_kind*, std::string>>& known,
                              const std::string& presented) {
  std::string listed;
  for (const auto& [kind, blob] : known)
    listed += (listed.empty() ? "" : ", ") + describe_key(*kind, blob);
  return whose(where) + " has CHANGED: the server presented " + presented + " but " + path +
         " lists " + listed +
         ". Refusing to connect (a reinstalled node, or someone in the middle). If the change "
         "is expected, remove the old key: ssh-keygen -R '" + recorded_name(where) + "' -f '" +
         path + "'";
}

int make_dirs_for(const std::string& path) {
  for (std::size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string dir = path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return errno;
  }
  return 0;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data.remove_prefix(std::size_t(n));
  }
  return true;
}

} // namespace

std::string key_fingerprint(std::string_view key_blob) {
  return "SHA256:" + base64_encode(sha256(key_blob), false);
}

std::string known_hosts_path(const ssh_endpoint& where) {
  if (!where.known_hosts_file.empty())
    return where.known_hosts_file;
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    const passwd* pw = ::getpwuid(::getuid());
    home = pw != nullptr ? pw->pw_dir : "/";
  }
  return std::string(home) + "/.ssh/known_hosts";
}

known_hosts_check::known_hosts_check(LIBSSH2_SESSION* session, const ssh_endpoint& where)
    : session_(session), where_(where), path_(known_hosts_path(where)) {
  read_error_ = read_known_hosts(path_, content_);
  host_entries entries(session_, content_);
  for (const auto& [kind, blob] : entries.keys_for(where_))
    if (std::find(known_types_.begin(), known_types_.end(), kind->name) == known_types_.end())
      known_types_.push_back(kind->name);
}

known_hosts_check::~known_hosts_check() = default;

std::string known_hosts_check::method_preference() const {
  std::string out;
  for (const auto& t : known_types_)
    out += (out.empty() ? "" : ",") + t;
  std::string_view rest = default_preference;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string name(rest.substr(0, comma));
    rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    if (std::find(known_types_.begin(), known_types_.end(), name) == known_types_.end())
      out += (out.empty() ? "" : ",") + name;
  }
  return out;
}

std::string known_hosts_check::verify() {
  if (!read_error_.empty())
    return read_error_;
  std::size_t len = 0;
  int type = 0;
  const char* key = libssh2_session_hostkey(session_, &len, &type);
  const key_kind* kind = key ? kind_of_hostkey(type) : nullptr;
  if (kind == nullptr)
    return whose(where_) + ": the server's key type is not supported";
  std::string blob(key, len);
  std::string presented = describe_key(*kind, blob);

  host_entries entries(session_, content_);
  if (entries.is_revoked(blob))
    return whose(where_) + " (" + presented + ") is marked @revoked in " + path_;
  if (entries.check(where_, blob, *kind) == LIBSSH2_KNOWNHOST_CHECK_MATCH)
    return {};
  // MISMATCH, or NOTFOUND while keys of other types are known: either way
  // the host is known and this is not its key.
  auto known = entries.keys_for(where_);
  if (!known.empty())
    return changed_key_error(where_, path_, known, presented);
  if (where_.policy == host_key_policy::strict)
    return whose(where_) + " is not known; add it to known_hosts (" + path_ +
           ") or use accept-new (the server presented " + presented + ")";
  return record_new_key(blob, type);
}

std::string known_hosts_check::record_new_key(const std::string& blob, int type) {
  const key_kind& kind = *kind_of_hostkey(type);
  auto failed = [&](const std::string& what, int err) {
    return "cannot record the " + whose(where_) + " in " + path_ + ": " + what + ": " +
           std::strerror(err);
  };
  if (int err = make_dirs_for(path_))
    return failed("cannot create its directory", err);
  int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return failed("open", errno);
  // Several connections to a new node verify at once; under the lock only
  // the first adds the key and the others find it.
  std::string verdict;
  std::string current;
  if (::flock(fd, LOCK_EX) != 0 || !read_all(fd, current)) {
    verdict = failed("lock/read", errno);
  } else {
    host_entries entries(session_, current);
    int found = entries.check(where_, blob, kind);
    auto known = entries.keys_for(where_);
    if (entries.is_revoked(blob)) {
      verdict = whose(where_) + " is marked @revoked in " + path_;
    } else if (found == LIBSSH2_KNOWNHOST_CHECK_MATCH) {
      verdict.clear();
    } else if (!known.empty()) {
      verdict = changed_key_error(where_, path_, known, describe_key(kind, blob));
    } else {
      struct libssh2_knownhost* added = nullptr;
      char line[16 * 1024];
      std::size_t line_len = 0;
      if (entries.kh == nullptr ||
          libssh2_knownhost_addc(entries.kh, recorded_name(where_).c_str(), nullptr, blob.data(),
                                 blob.size(), nullptr, 0, check_flags | kind.knownhost_bit,
                                 &added) != 0 ||
          libssh2_knownhost_writeline(entries.kh, added, line, sizeof line, &line_len,
                                      LIBSSH2_KNOWNHOST_FILE_OPENSSH) != 0) {
        verdict = "cannot format a known_hosts line for the " + whose(where_);
      } else {
        std::string text = !current.empty() && current.back() != '\n' ? "\n" : "";
        text.append(line, line_len);
        if (!write_all(fd, text))
          verdict = failed("write", errno);
      }
    }
  }
  ::close(fd); // Also drops the lock.
  return verdict;
}

} // namespace cluster::transport
