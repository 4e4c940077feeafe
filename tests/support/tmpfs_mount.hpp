#pragma once
// A small real filesystem for storage-fault tests: a tmpfs of a fixed size mounted on a
// folder, which can be filled to the last byte, switched read-only and back, and which is
// always unmounted when the guard goes away (lazily, if a process still holds files on it).
// Mounting needs root; when it is not possible, `available()` is false and `why_not()` says
// why, so a test can report that and skip its checks.

#include <cstdint>
#include <filesystem>
#include <string>

namespace driftd::test {

class TmpfsMount {
 public:
  // Creates `at` (and its parents) and mounts a tmpfs of `bytes` on it.
  TmpfsMount(std::filesystem::path at, std::uint64_t bytes);
  // Unmounts (detaching lazily when busy) and removes the mount point.
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool available() const { return m_mounted; }
  const std::string& why_not() const { return m_why_not; }
  const std::filesystem::path& path() const { return m_path; }

  // Bytes the filesystem still gives to an unprivileged writer (statvfs f_bavail).
  std::uint64_t free_bytes() const;

  // Writes zeros into `name` until the filesystem refuses more (ENOSPC); returns the bytes
  // written. The file stays until remove_filler().
  std::uint64_t fill(const std::string& name = "filler");
  void remove_filler(const std::string& name = "filler");

  // Remounts `folder` (which must lie on this filesystem) read-only or read-write through a
  // bind mount of its own, so that only that folder changes. Returns "" or the error.
  std::string set_folder_read_only(const std::filesystem::path& folder, bool read_only);

 private:
  std::filesystem::path m_path;
  std::filesystem::path m_bound;  // the folder bind-mounted by set_folder_read_only, if any
  bool m_mounted = false;
  std::string m_why_not;
};

}  // namespace driftd::test
