// Content-addressed clip files with POSIX calls, because the guarantees matter here:
// O_EXCL temp files, fsync of the data before it gets its name, link() so that a file
// that appeared meanwhile (the same bytes, uploaded concurrently) is kept rather than
// replaced, and fsync of the folder so the name itself survives a crash.

#include "driftd/store/clip_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "driftd/store/errors.hpp"
#include "driftd/util/secrets.hpp"

namespace driftd::store {

namespace {

constexpr std::string_view k_temp_prefix = ".tmp-";
constexpr mode_t k_file_mode = 0640;  // clips are recordings of people's homes
constexpr mode_t k_dir_mode = 0750;

Error io_error(const std::string& what, const std::filesystem::path& path, int err) {
  return make_error(k_error_unavailable, what + " " + path.string() + ": " + std::strerror(err));
}

bool is_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Syncs a folder so that names created or removed in it survive a crash.
Status sync_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open folder", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("cannot sync folder", dir, err);
  return Ok{};
}

// mkdir that tolerates an existing folder; syncs the parent when it created one.
Status make_dir(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), k_dir_mode) == 0) return sync_dir(dir.parent_path());
  if (errno == EEXIST) return Ok{};
  return io_error("cannot create folder", dir, errno);
}

Status write_all(int fd, std::string_view bytes, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path, errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return io_error("cannot sync", path, errno);
  return Ok{};
}

}  // namespace

std::string clip_relative_path(std::string_view sha256, std::string_view extension) {
  std::string path;
  path.reserve(sha256.size() + extension.size() + 4);
  path.append(sha256.substr(0, 2)).append("/").append(sha256).append(".").append(extension);
  return path;
}

bool is_clip_relative_path(std::string_view p) {
  // "ab/" + 64 hex + "." + extension of 1-8 lowercase letters/digits
  if (p.size() < 3 + 64 + 2 || p[2] != '/' || p.substr(0, 2) != p.substr(3, 2)) return false;
  if (!is_hex(p.substr(3, 64)) || p[3 + 64] != '.') return false;
  const std::string_view ext = p.substr(3 + 64 + 1);
  if (ext.empty() || ext.size() > 8) return false;
  for (char c : ext) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

Status ClipFiles::ensure_dir() const {
  std::error_code ec;
  std::filesystem::create_directories(m_dir, ec);
  if (ec) {
    return make_error(k_error_unavailable,
                      "cannot create the clip folder " + m_dir.string() + ": " + ec.message());
  }
  return Ok{};
}

Result<bool> ClipFiles::write_once(std::string_view relative_path, std::string_view bytes) const {
  const std::filesystem::path target = absolute(relative_path);
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) return false;
  const std::filesystem::path folder = target.parent_path();
  if (Status made = make_dir(folder); !made) return made.error();

  const std::filesystem::path temp = folder / (std::string(k_temp_prefix) + util::random_hex(8));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, k_file_mode);
  if (fd < 0) return io_error("cannot create", temp, errno);
  Status written = write_all(fd, bytes, temp);
  if (::close(fd) != 0 && written) written = io_error("cannot close", temp, errno);
  if (!written) {
    ::unlink(temp.c_str());
    return written.error();
  }
  // link() refuses to replace: if the same content appeared meanwhile, keep that file.
  bool created = true;
  if (::link(temp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    if (err != EEXIST) {
      ::unlink(temp.c_str());
      return io_error("cannot name", target, err);
    }
    created = false;
  }
  ::unlink(temp.c_str());
  if (created) {
    if (Status synced = sync_dir(folder); !synced) return synced.error();
  }
  return created;
}

Status ClipFiles::probe_writable() const {
  const std::filesystem::path probe = m_dir / (std::string(k_temp_prefix) + util::random_hex(8));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, k_file_mode);
  if (fd < 0) return io_error("the clip folder takes no files: cannot create", probe, errno);
  ::close(fd);
  ::unlink(probe.c_str());
  return Ok{};
}

Result<std::uintmax_t> ClipFiles::remove(std::string_view relative_path) const {
  const std::filesystem::path target = absolute(relative_path);
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) return std::uintmax_t{0};
  if (::unlink(target.c_str()) != 0) {
    if (errno == ENOENT) return std::uintmax_t{0};
    return io_error("cannot remove", target, errno);
  }
  return static_cast<std::uintmax_t>(st.st_size);
}

std::optional<std::uintmax_t> ClipFiles::size_of(std::string_view relative_path) const {
  struct stat st {};
  if (::stat(absolute(relative_path).c_str(), &st) != 0) return std::nullopt;
  return static_cast<std::uintmax_t>(st.st_size);
}

Result<std::size_t> ClipFiles::sweep(
    const std::function<void(const std::string&, std::uintmax_t)>& visit) const {
  namespace fs = std::filesystem;
  std::size_t removed = 0;
  std::error_code ec;
  fs::directory_iterator top(m_dir, ec);
  if (ec) {
    return make_error(k_error_unavailable,
                      "cannot read the clip folder " + m_dir.string() + ": " + ec.message());
  }
  for (; top != fs::directory_iterator(); top.increment(ec)) {
    if (ec) break;
    const fs::path sub = top->path();
    const std::string sub_name = sub.filename().string();
    if (sub_name.starts_with(k_temp_prefix)) {  // a readiness probe cut short
      std::error_code removal;
      if (fs::remove(sub, removal)) ++removed;
      continue;
    }
    if (sub_name.size() != 2 || !is_hex(sub_name) || !fs::is_directory(sub, ec)) continue;
    fs::directory_iterator it(sub, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.starts_with(k_temp_prefix)) {
        std::error_code removal;
        if (fs::remove(it->path(), removal)) ++removed;
        continue;
      }
      const std::string relative = sub_name + "/" + name;
      std::error_code status;
      if (!is_clip_relative_path(relative) || !it->is_regular_file(status)) continue;
      const std::uintmax_t size = it->file_size(status);
      if (!status) visit(relative, size);
    }
    ec.clear();
  }
  return removed;
}

}  // namespace driftd::store
