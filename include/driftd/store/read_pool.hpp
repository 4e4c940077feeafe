#pragma once
// Read connections, separate from the writer's: in WAL mode readers see the last committed
// state and never wait for the writer. Connections are opened on first need, up to a
// maximum, and lent to one thread at a time.

#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "driftd/store/connection.hpp"

namespace driftd::store {

class ReadPool {
 public:
  // A connection lent to the holder; returned (its statements reset) on destruction.
  class Lease {
   public:
    Lease(ReadPool& pool, std::unique_ptr<Connection> connection);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& connection() { return *m_connection; }

   private:
    ReadPool& m_pool;
    std::unique_ptr<Connection> m_connection;
  };

  ReadPool(std::filesystem::path path, ConnectionSettings settings, std::size_t max_connections);

  // A free connection, opening one if fewer than the maximum exist, else waiting for one.
  // Throws when a new connection cannot be opened.
  Lease acquire();

  // Closes idle connections now and leased ones when returned; acquire() then throws
  // UnavailableError. Idempotent.
  void close();

 private:
  void give_back(std::unique_ptr<Connection> connection);

  std::filesystem::path m_path;
  ConnectionSettings m_settings;
  std::size_t m_max;

  std::mutex m_mutex;
  std::condition_variable m_returned;
  std::vector<std::unique_ptr<Connection>> m_idle;
  std::size_t m_open = 0;
  bool m_closed = false;
};

}  // namespace driftd::store
