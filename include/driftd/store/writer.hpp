#pragma once
// The group-commit writer: one named thread owns the one connection that writes.
//
// Request threads submit write jobs and wait on a future that is set only once the
// transaction holding their job has COMMITTED (or failed), or hand over a callback that the
// writer calls then (submit_then). The writer drains every queued
// job (up to WriterLimits) into one transaction and gives each job its own SAVEPOINT: a
// job that returns an error or breaks a constraint is rolled back alone and gets its
// error, while its batch-mates commit. A failure of the database as a whole (disk full,
// read-only, I/O error, locked) fails every job of that batch with storage_unavailable;
// the writer stays up and tries the next batch afresh.
//
// Why: one commit, and so one WAL sync, per batch instead of per request. With many
// concurrent writers the sync cost is shared by all jobs that queued while the previous
// commit was syncing, so throughput grows with load while a lone request pays one sync.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

#include "driftd/store/connection.hpp"
#include "driftd/store/errors.hpp"
#include "driftd/util/result.hpp"

struct sqlite3;

namespace driftd::store {

struct WriterLimits {
  std::size_t max_batch_jobs = 1000;                 // jobs in one transaction at most
  std::chrono::milliseconds max_batch_duration{50};  // stop adding jobs after this long
  // With a checkpoint connection (Writer's constructor), WAL checkpoints run on their own
  // thread each time the WAL has grown by checkpoint_frames frames (pages), so the writer
  // does not stop for them; once per so many frames, not after every commit past a mark,
  // since each checkpoint syncs the WAL and the database file. The WAL only starts over
  // from its beginning when a batch begins with all of it copied, which a checkpoint
  // running beside a busy writer rarely achieves: at checkpoint_inline_frames the writer
  // checkpoints itself, as SQLite's automatic checkpoint would, copying only what the
  // thread has not, and the WAL starts over. So the WAL stays below about
  // checkpoint_inline_frames pages.
  int checkpoint_frames = 100;
  int checkpoint_inline_frames = 4000;
};

// Counters for metrics; a consistent snapshot.
struct WriterStats {
  std::size_t queue_depth = 0;          // jobs waiting for a batch now
  std::uint64_t jobs_committed = 0;     // jobs whose changes were committed
  std::uint64_t jobs_rejected = 0;      // jobs rolled back alone (their error, a constraint)
  std::uint64_t jobs_failed = 0;        // jobs failed with their batch (storage_unavailable)
  std::uint64_t batches_committed = 0;  // transactions committed
  std::uint64_t batches_failed = 0;     // transactions rolled back as a whole
  std::size_t last_batch_jobs = 0;
  std::size_t largest_batch_jobs = 0;
  double batch_seconds_total = 0;        // BEGIN to end of COMMIT, all batches
  double commit_seconds_total = 0;       // in COMMIT (the WAL sync), all batches
  std::uint64_t checkpoints = 0;         // background checkpoints run
  std::uint64_t checkpoints_failed = 0;  // background checkpoints that failed (retried)
};

namespace detail {

// A queued job, type-erased. The writer calls execute() once, then at most one reject(),
// then finish() exactly once.
class WriteJob {
 public:
  virtual ~WriteJob() = default;
  // Runs the job; false when it returned an error (kept for finish()). May throw.
  virtual bool execute(WriteTxn& txn) = 0;
  // Records the job's own failure (an exception it threw that spares its batch-mates).
  virtual void reject(Error error) = 0;
  // Delivers the outcome: the job's own error if it had one, else `batch_error` when the
  // batch failed, else its value.
  virtual void finish(const Error* batch_error) = 0;
};

template <typename R>
struct is_result : std::false_type {};
template <typename T>
struct is_result<Result<T>> : std::true_type {};

// Runs `Fn` and keeps its outcome until the batch is settled; deliver() hands it over.
template <typename R, typename Fn>
class TypedWriteJob : public WriteJob {
 public:
  explicit TypedWriteJob(Fn fn) : m_fn(std::move(fn)) {}

  bool execute(WriteTxn& txn) final {
    m_outcome.emplace(m_fn(txn));
    return m_outcome->ok();
  }
  void reject(Error error) final { m_outcome.emplace(std::move(error)); }
  void finish(const Error* batch_error) final {
    if (m_outcome && !m_outcome->ok()) {
      deliver(std::move(*m_outcome));
    } else if (batch_error != nullptr || !m_outcome) {
      deliver(R(batch_error != nullptr ? *batch_error
                                       : make_error(k_error_internal, "write job never ran")));
    } else {
      deliver(std::move(*m_outcome));
    }
  }

 protected:
  virtual void deliver(R outcome) = 0;

 private:
  Fn m_fn;
  std::optional<R> m_outcome;
};

// A submit() job: its outcome settles a future.
template <typename R, typename Fn>
class PromisedWriteJob final : public TypedWriteJob<R, Fn> {
 public:
  using TypedWriteJob<R, Fn>::TypedWriteJob;
  std::future<R> future() { return m_promise.get_future(); }

 private:
  void deliver(R outcome) override { m_promise.set_value(std::move(outcome)); }
  std::promise<R> m_promise;
};

// A submit_then() job: its outcome goes to a callback.
template <typename R, typename Fn, typename Done>
class CallbackWriteJob final : public TypedWriteJob<R, Fn> {
 public:
  CallbackWriteJob(Fn fn, Done done)
      : TypedWriteJob<R, Fn>(std::move(fn)), m_done(std::move(done)) {}

 private:
  void deliver(R outcome) override { m_done(std::move(outcome)); }
  Done m_done;
};

}  // namespace detail

class Writer {
 public:
  // Takes the (opened, migrated) write connection and starts the thread "driftd-writer".
  // With `checkpoint_connection` (ConnectionRole::checkpointer, same file) the writer's
  // automatic checkpoints move to the thread "driftd-ckpt" (WriterLimits).
  Writer(std::unique_ptr<Connection> connection, WriterLimits limits,
         std::unique_ptr<Connection> checkpoint_connection = nullptr);
  // Stops as stop() does.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues `fn` (callable as Result<T>(WriteTxn&)) and returns the future of its outcome,
  // set after the commit of its batch. After stop() the future holds storage_unavailable.
  template <typename Fn>
  auto submit(Fn&& fn) -> std::future<std::invoke_result_t<std::decay_t<Fn>&, WriteTxn&>> {
    using R = std::invoke_result_t<std::decay_t<Fn>&, WriteTxn&>;
    static_assert(detail::is_result<R>::value, "a write job returns a Result<T>");
    auto job =
        std::make_unique<detail::PromisedWriteJob<R, std::decay_t<Fn>>>(std::forward<Fn>(fn));
    auto future = job->future();
    enqueue(std::move(job));
    return future;
  }

  // Queues `fn` and calls `done(outcome)` once its batch has committed (or failed), on the
  // writer's thread, so nobody waits: `done` must be quick and must not wait on the writer
  // or throw. After stop(), `done` gets storage_unavailable at once, on this thread.
  template <typename Fn, typename Done>
  void submit_then(Fn&& fn, Done&& done) {
    using R = std::invoke_result_t<std::decay_t<Fn>&, WriteTxn&>;
    static_assert(detail::is_result<R>::value, "a write job returns a Result<T>");
    enqueue(std::make_unique<detail::CallbackWriteJob<R, std::decay_t<Fn>, std::decay_t<Done>>>(
        std::forward<Fn>(fn), std::forward<Done>(done)));
  }

  // submit() and wait for the commit. Refused (storage_error) on the writer's own thread,
  // where waiting would deadlock.
  template <typename Fn>
  auto run(Fn&& fn) -> std::invoke_result_t<std::decay_t<Fn>&, WriteTxn&> {
    using R = std::invoke_result_t<std::decay_t<Fn>&, WriteTxn&>;
    if (on_writer_thread()) {
      return R(make_error(k_error_internal, "a write job waited on the writer"));
    }
    return submit(std::forward<Fn>(fn)).get();
  }

  // Refuses new jobs, runs every job already queued, then joins the thread. Idempotent.
  void stop();

  WriterStats stats() const;

  // True on the writer's thread (inside a job).
  bool on_writer_thread() const { return std::this_thread::get_id() == m_thread_id; }

 private:
  void enqueue(std::unique_ptr<detail::WriteJob> job);
  void thread_main();
  void run_batch();
  bool take_jobs(std::deque<std::unique_ptr<detail::WriteJob>>& into, std::size_t max);
  bool run_job(detail::WriteJob& job);  // false when the job was rolled back alone
  // SQLite's WAL hook on the writer's connection, after each commit.
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int frames);
  void checkpoint_main();

  std::unique_ptr<Connection> m_connection;
  WriterLimits m_limits;

  // Background checkpoints.
  std::unique_ptr<Connection> m_checkpoint_connection;
  std::mutex m_checkpoint_mutex;
  std::condition_variable m_checkpoint_wake;
  bool m_checkpoint_wanted = false;
  int m_checkpoint_asked_at = 0;  // WAL frames when the thread was last asked (writer thread)
  bool m_checkpoint_stopping = false;
  std::thread m_checkpoint_thread;

  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::deque<std::unique_ptr<detail::WriteJob>> m_queue;
  bool m_stopping = false;
  WriterStats m_stats;

  std::thread m_thread;
  std::thread::id m_thread_id;
};

}  // namespace driftd::store
