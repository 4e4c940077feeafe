// The writer's loop: wait for jobs, run a batch, commit, settle the futures.
//
// A batch is BEGIN IMMEDIATE, then for each job SAVEPOINT / job / RELEASE (or ROLLBACK TO
// when the job failed on its own), then COMMIT. Jobs that arrive while a batch runs join
// it until WriterLimits says stop; the rest wait for the next one. BEGIN IMMEDIATE takes
// the write lock up front, so another process (e.g. `driftd token create`) is waited for
// (busy_timeout) rather than met half-way through a batch.

#include "driftd/store/writer.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <pthread.h>
#include <sqlite3.h>

#include <exception>
#include <string>
#include <utility>

namespace driftd::store {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Inside a catch block: when the SQLite exception being handled is a file-level failure
// (I/O error, read-only, cannot open), why the database's folder takes no writes, if that is
// the cause; else "".
std::string file_error_behind(const Connection& connection) {
  int code = 0;
  try {
    throw;
  } catch (const SQLite::Exception& e) {
    code = e.getErrorCode() & 0xff;
  } catch (...) {
  }
  const bool file_level =
      code == SQLITE_IOERR || code == SQLITE_READONLY || code == SQLITE_CANTOPEN;
  return file_level ? connection.folder_write_error() : std::string();
}

Error closed_error() {
  return make_error(k_error_unavailable, "the store is closed");
}

}  // namespace

Writer::Writer(std::unique_ptr<Connection> connection, WriterLimits limits,
               std::unique_ptr<Connection> checkpoint_connection)
    : m_connection(std::move(connection)),
      m_limits(limits),
      m_checkpoint_connection(std::move(checkpoint_connection)) {
  if (m_limits.max_batch_jobs == 0) m_limits.max_batch_jobs = 1;
  if (m_checkpoint_connection) {
    // Replaces SQLite's automatic checkpoint (itself a WAL hook) on the writer.
    sqlite3_wal_hook(m_connection->db().getHandle(), &Writer::on_wal_commit, this);
    m_checkpoint_thread = std::thread([this] { checkpoint_main(); });
  }
  m_thread = std::thread([this] { thread_main(); });
  m_thread_id = m_thread.get_id();
}

int Writer::on_wal_commit(void* self, sqlite3* db, const char* name, int frames) {
  auto* writer = static_cast<Writer*>(self);
  if (frames >= writer->m_limits.checkpoint_inline_frames) {
    // Checkpoint here, as SQLite's own hook would, so that the next batch starts the WAL
    // over (WriterLimits). Its failure does not fail the commit that has already happened.
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    writer->m_checkpoint_asked_at = 0;
  } else {
    // Once per checkpoint_frames new frames, not after every commit past the mark: a
    // checkpoint beside a busy writer leaves the WAL as long as it was (it only copies),
    // and each one syncs the WAL and the database file.
    if (frames < writer->m_checkpoint_asked_at) writer->m_checkpoint_asked_at = 0;  // restarted
    if (frames < writer->m_checkpoint_asked_at + writer->m_limits.checkpoint_frames) {
      return SQLITE_OK;
    }
    writer->m_checkpoint_asked_at = frames;
    {
      std::lock_guard lock(writer->m_checkpoint_mutex);
      writer->m_checkpoint_wanted = true;
    }
    writer->m_checkpoint_wake.notify_one();
  }
  return SQLITE_OK;
}

void Writer::checkpoint_main() {
  pthread_setname_np(pthread_self(), "driftd-ckpt");
  sqlite3* db = m_checkpoint_connection->db().getHandle();
  for (;;) {
    {
      std::unique_lock lock(m_checkpoint_mutex);
      m_checkpoint_wake.wait(lock, [&] { return m_checkpoint_stopping || m_checkpoint_wanted; });
      if (m_checkpoint_stopping) break;
      m_checkpoint_wanted = false;
    }
    // PASSIVE: copies what no reader still needs, never waits for the writer or readers.
    const int rc =
        sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    std::lock_guard lock(m_mutex);
    if (rc == SQLITE_OK) {
      ++m_stats.checkpoints;
    } else {
      ++m_stats.checkpoints_failed;  // busy or failing: the next commit asks again
    }
  }
  m_checkpoint_connection.reset();
}

Writer::~Writer() {
  stop();
}

void Writer::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable() && !on_writer_thread()) m_thread.join();
  if (m_checkpoint_thread.joinable() && !on_writer_thread()) {
    {
      std::lock_guard lock(m_checkpoint_mutex);
      m_checkpoint_stopping = true;
    }
    m_checkpoint_wake.notify_all();
    m_checkpoint_thread.join();
  }
}

WriterStats Writer::stats() const {
  std::lock_guard lock(m_mutex);
  WriterStats snapshot = m_stats;
  snapshot.queue_depth = m_queue.size();
  return snapshot;
}

void Writer::enqueue(std::unique_ptr<detail::WriteJob> job) {
  {
    std::lock_guard lock(m_mutex);
    if (!m_stopping) {
      m_queue.push_back(std::move(job));
    }
  }
  if (job) {  // refused: the store is stopping
    const Error error = closed_error();
    job->finish(&error);
    return;
  }
  m_wake.notify_one();
}

void Writer::thread_main() {
  pthread_setname_np(pthread_self(), "driftd-writer");
  for (;;) {
    {
      std::unique_lock lock(m_mutex);
      m_wake.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
      if (m_queue.empty()) break;  // stopping, and everything queued has run
    }
    run_batch();
  }
  m_connection.reset();  // close the write connection on the thread that used it
}

bool Writer::take_jobs(std::deque<std::unique_ptr<detail::WriteJob>>& into, std::size_t max) {
  std::lock_guard lock(m_mutex);
  std::size_t taken = 0;
  while (taken < max && !m_queue.empty()) {
    into.push_back(std::move(m_queue.front()));
    m_queue.pop_front();
    ++taken;
  }
  return taken > 0;
}

bool Writer::run_job(detail::WriteJob& job) {
  WriteTxn txn(*m_connection);
  m_connection->exec_prepared("SAVEPOINT job");
  bool ok = false;
  try {
    ok = job.execute(txn);
  } catch (...) {
    m_connection->release_statements();
    Error error = error_from_exception(std::current_exception());
    if (error.code == k_error_unavailable) throw;  // the database itself failed
    job.reject(std::move(error));
  }
  m_connection->release_statements();
  if (!ok) m_connection->exec_prepared("ROLLBACK TO job");
  m_connection->exec_prepared("RELEASE job");
  return ok;
}

void Writer::run_batch() {
  const auto started = Clock::now();
  std::deque<std::unique_ptr<detail::WriteJob>> batch;
  take_jobs(batch, m_limits.max_batch_jobs);

  std::optional<Error> batch_error;
  double commit_seconds = 0;
  std::uint64_t rejected = 0;
  try {
    m_connection->exec_prepared("BEGIN IMMEDIATE");
    for (std::size_t next = 0;;) {
      for (; next < batch.size(); ++next) {
        if (!run_job(*batch[next])) ++rejected;
      }
      if (batch.size() >= m_limits.max_batch_jobs ||
          Clock::now() - started >= m_limits.max_batch_duration) {
        break;
      }
      if (!take_jobs(batch, m_limits.max_batch_jobs - batch.size())) break;
    }
    const auto commit_started = Clock::now();
    m_connection->exec_prepared("COMMIT");
    commit_seconds = seconds_since(commit_started);
  } catch (...) {
    m_connection->release_statements();
    batch_error = error_from_exception(std::current_exception());
    if (batch_error->code != k_error_unavailable) {
      batch_error->message = "the write batch failed: " + batch_error->message;
    } else if (const std::string cause = file_error_behind(*m_connection); !cause.empty()) {
      batch_error->message += " (the database's folder takes no writes: " + cause + ")";
    }
    try {
      if (m_connection->in_transaction()) m_connection->exec("ROLLBACK");
    } catch (...) {  // the next BEGIN reports a connection that stays broken
    }
  }

  {
    std::lock_guard lock(m_mutex);
    m_stats.last_batch_jobs = batch.size();
    if (batch.size() > m_stats.largest_batch_jobs) m_stats.largest_batch_jobs = batch.size();
    m_stats.batch_seconds_total += seconds_since(started);
    m_stats.commit_seconds_total += commit_seconds;
    if (batch_error) {
      ++m_stats.batches_failed;
      m_stats.jobs_failed += batch.size();
    } else {
      ++m_stats.batches_committed;
      m_stats.jobs_committed += batch.size() - rejected;
      m_stats.jobs_rejected += rejected;
    }
  }
  // Counted before the futures are set, so whoever sees a result also sees it counted.
  for (auto& job : batch) job->finish(batch_error ? &*batch_error : nullptr);
}

}  // namespace driftd::store
