#include "driftd/store/read_pool.hpp"

#include <utility>

#include "driftd/store/errors.hpp"

namespace driftd::store {

ReadPool::Lease::Lease(ReadPool& pool, std::unique_ptr<Connection> connection)
    : m_pool(pool), m_connection(std::move(connection)) {}

ReadPool::Lease::~Lease() {
  m_connection->release_statements();
  m_pool.give_back(std::move(m_connection));
}

ReadPool::ReadPool(std::filesystem::path path, ConnectionSettings settings,
                   std::size_t max_connections)
    : m_path(std::move(path)),
      m_settings(settings),
      m_max(max_connections == 0 ? 1 : max_connections) {}

ReadPool::Lease ReadPool::acquire() {
  std::unique_lock lock(m_mutex);
  m_returned.wait(lock, [&] { return m_closed || !m_idle.empty() || m_open < m_max; });
  if (m_closed) throw UnavailableError("the store is closed");
  if (!m_idle.empty()) {
    std::unique_ptr<Connection> connection = std::move(m_idle.back());
    m_idle.pop_back();
    return Lease(*this, std::move(connection));
  }
  ++m_open;  // reserve the slot, open outside the lock
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<Connection>(m_path, ConnectionRole::reader, m_settings));
  } catch (...) {
    lock.lock();
    --m_open;
    m_returned.notify_one();
    throw;
  }
}

void ReadPool::give_back(std::unique_ptr<Connection> connection) {
  std::unique_ptr<Connection> to_close;
  {
    std::lock_guard lock(m_mutex);
    if (m_closed) {
      to_close = std::move(connection);
      --m_open;
    } else {
      m_idle.push_back(std::move(connection));
    }
  }
  m_returned.notify_one();
}

void ReadPool::close() {
  std::vector<std::unique_ptr<Connection>> idle;
  {
    std::lock_guard lock(m_mutex);
    m_closed = true;
    m_open -= m_idle.size();
    idle.swap(m_idle);
  }
  m_returned.notify_all();
}

}  // namespace driftd::store
