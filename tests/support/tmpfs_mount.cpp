#include "support/tmpfs_mount.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace driftd::test {

namespace {

std::string os_error(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

// Unmounts `path`, detaching it lazily when a process still holds files there.
void unmount(const std::filesystem::path& path) {
  if (::umount2(path.c_str(), 0) != 0 && errno == EBUSY) ::umount2(path.c_str(), MNT_DETACH);
}

}  // namespace

TmpfsMount::TmpfsMount(std::filesystem::path at, std::uint64_t bytes) : m_path(std::move(at)) {
  if (::geteuid() != 0) {
    m_why_not =
        "mounting a tmpfs needs root (the tests run as uid " + std::to_string(::geteuid()) + ")";
    return;
  }
  std::error_code ec;
  std::filesystem::create_directories(m_path, ec);
  if (ec) {
    m_why_not = "cannot create " + m_path.string() + ": " + ec.message();
    return;
  }
  const std::string options = "size=" + std::to_string(bytes) + ",mode=0755";
  if (::mount("tmpfs", m_path.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    m_why_not = os_error("mount -t tmpfs -o " + options + " " + m_path.string());
    return;
  }
  m_mounted = true;
}

TmpfsMount::~TmpfsMount() {
  if (!m_bound.empty()) unmount(m_bound);
  if (m_mounted) unmount(m_path);
  std::error_code ec;
  std::filesystem::remove(m_path, ec);
}

std::uint64_t TmpfsMount::free_bytes() const {
  struct statvfs st {};
  if (::statvfs(m_path.c_str(), &st) != 0) return 0;
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

std::uint64_t TmpfsMount::fill(const std::string& name) {
  const std::filesystem::path file = m_path / name;
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return 0;
  std::uint64_t written = 0;
  // Large writes first, then smaller ones, until not even one byte fits.
  for (std::size_t chunk = 1 << 20; chunk > 0; chunk /= 16) {
    const std::vector<char> zeros(chunk, 0);
    for (;;) {
      const ssize_t n = ::write(fd, zeros.data(), zeros.size());
      if (n > 0) {
        written += static_cast<std::uint64_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      break;  // ENOSPC (or a short write): try a smaller chunk
    }
  }
  ::fsync(fd);
  ::close(fd);
  return written;
}

void TmpfsMount::remove_filler(const std::string& name) {
  std::error_code ec;
  std::filesystem::remove(m_path / name, ec);
}

std::string TmpfsMount::set_folder_read_only(const std::filesystem::path& folder, bool read_only) {
  if (!m_mounted) return m_why_not;
  if (m_bound.empty()) {
    if (::mount(folder.c_str(), folder.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      return os_error("mount --bind " + folder.string());
    }
    m_bound = folder;
  }
  const unsigned long flags = MS_REMOUNT | MS_BIND | (read_only ? MS_RDONLY : 0);
  if (::mount(nullptr, m_bound.c_str(), nullptr, flags, nullptr) != 0) {
    return os_error(std::string("mount -o remount,bind,") + (read_only ? "ro " : "rw ") +
                    m_bound.string());
  }
  return "";
}

}  // namespace driftd::test
