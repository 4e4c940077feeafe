// The clip archive on real files and a real SQLite database: content-addressed files,
// rows, windows, reference counting, the quota and the start-up sweep.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "driftd/store/clip_archive.hpp"
#include "driftd/store/clip_files.hpp"
#include "driftd/store/clips.hpp"
#include "driftd/store/devices.hpp"
#include "driftd/store/store.hpp"
#include "driftd/store/windows.hpp"
#include "driftd/util/secrets.hpp"
#include "support/store_scratch.hpp"

using namespace driftd;
using namespace driftd::store;
using driftd::test::file_bytes;
using driftd::test::open_store;
using driftd::test::ScratchDir;

namespace {

namespace fs = std::filesystem;

// A store and an archive in one scratch folder.
struct Archive {
  ScratchDir dir;
  std::unique_ptr<Store> store = open_store(dir.path() / "driftd.db");
  std::unique_ptr<ClipArchive> clips;

  explicit Archive(std::int64_t max_bytes = 1'000'000) { reopen(max_bytes); }

  void reopen(std::int64_t max_bytes = 1'000'000, util::UnixMs now = 50'000) {
    clips.reset();
    auto opened = ClipArchive::open(*store, {dir.path() / "clips", max_bytes, 500}, now);
    REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error().message));
    clips = std::move(opened.value());
  }

  fs::path file(const std::string& relative) const { return dir.path() / "clips" / relative; }

  ClipRecord row(const std::string& clip_id) {
    auto found = find_clip(*store, clip_id);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    return **found;
  }

  std::int64_t count(const std::string& sql) {
    return store
        ->read([&](Connection& c) -> Result<std::int64_t> {
          return c.db().execAndGet(sql).getInt64();
        })
        .value();
  }
};

ClipUpload upload(std::string device, util::UnixMs received, std::size_t windows = 2) {
  ClipUpload u;
  u.device_id = std::move(device);
  u.model_version = "12";
  u.timestamp = received - 500;
  u.received = received;
  u.label = "crying";
  u.confidence = 0.9;
  u.extension = "wav";
  u.sample_rate_hz = 16000;
  u.channels = 1;
  u.duration_ms = 2500;
  for (std::size_t i = 0; i < windows; ++i) {
    u.windows.push_back({u.timestamp + static_cast<util::UnixMs>(i) * 300,
                         {1.0 * static_cast<double>(i), 2.0, -23.5}});
  }
  return u;
}

// Bytes of a given size, distinct per `tag`.
std::string bytes_of(char tag, std::size_t size = 1000) {
  return std::string(size, tag);
}

StoredClip add(Archive& a, const ClipUpload& u, const std::string& bytes) {
  auto stored = a.clips->add(u, bytes);
  REQUIRE_MESSAGE(stored.ok(), (stored.ok() ? "" : stored.error().message));
  return *stored;
}

}  // namespace

TEST_CASE("a clip is stored as its exact bytes under its hash, with its row, windows and device") {
  Archive a;
  const std::string bytes = "RIFF" + bytes_of('x', 996);
  const StoredClip stored = add(a, upload("nursery-04", 10'000, 6), bytes);

  const std::string sha = util::sha256_hex(bytes);
  CHECK(stored.sha256 == sha);
  CHECK(stored.path == sha.substr(0, 2) + "/" + sha + ".wav");
  CHECK(stored.clip_id.size() == 24);
  CHECK(stored.windows == 6);
  CHECK_FALSE(stored.duplicate);
  CHECK(file_bytes(a.file(stored.path)) == bytes);
  CHECK(a.clips->stored_bytes() == 1000);

  const ClipRecord row = a.row(stored.clip_id);
  CHECK(row.device_id == "nursery-04");
  CHECK(row.timestamp == 9'500);
  CHECK(row.received == 10'000);
  CHECK(row.label == "crying");
  CHECK(row.confidence == 0.9);
  CHECK(row.bytes == 1000);
  CHECK(row.windows == 6);
  CHECK_FALSE(row.evicted_at.has_value());
  CHECK(a.clips->file_path(row) == a.file(stored.path));

  auto windows = read_windows(*a.store, {"12", std::nullopt, 0, 100'000});
  REQUIRE(windows.ok());
  REQUIRE(windows->size() == 6);
  CHECK((*windows)[1].timestamp == 9'800);
  CHECK((*windows)[1].clip_id == stored.clip_id);
  CHECK((*windows)[1].source == WindowSource::clip);
  CHECK((*windows)[1].values == std::vector<double>{1.0, 2.0, -23.5});

  auto devices = list_devices(*a.store, 10'000, std::chrono::hours(1));
  REQUIRE(devices->size() == 1);
  CHECK((*devices)[0].clips == 1);
  CHECK((*devices)[0].results == 0);
}

TEST_CASE("the same bytes uploaded twice share one file, counted once") {
  Archive a;
  const StoredClip first = add(a, upload("a", 10'000), bytes_of('s'));
  const StoredClip second = add(a, upload("b", 11'000), bytes_of('s'));
  CHECK(first.clip_id != second.clip_id);
  CHECK(first.path == second.path);
  CHECK(a.clips->stored_bytes() == 1000);
  CHECK(a.count("SELECT COUNT(*) FROM clips") == 2);
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(a.dir.path() / "clips")) {
    files += entry.is_regular_file();
  }
  CHECK(files == 1);
}

TEST_CASE("a repeated (device, result_id) answers the first clip and stores nothing new") {
  Archive a;
  ClipUpload u = upload("a", 10'000, 3);
  u.result_id = "r1";
  const StoredClip first = add(a, u, bytes_of('1'));
  const StoredClip again = add(a, u, bytes_of('2'));  // a retry, even with other bytes
  CHECK(again.duplicate);
  CHECK(again.clip_id == first.clip_id);
  CHECK(again.windows == 3);
  CHECK(a.count("SELECT COUNT(*) FROM clips") == 1);
  CHECK(a.count("SELECT COUNT(*) FROM window_features") == 3);
  CHECK(a.count("SELECT clips_count FROM devices") == 1);
  CHECK_FALSE(fs::exists(a.file(clip_relative_path(util::sha256_hex(bytes_of('2')), "wav"))));
  CHECK(a.clips->stored_bytes() == 1000);

  u.device_id = "b";  // result ids are per device
  CHECK_FALSE(add(a, u, bytes_of('2')).duplicate);
}

TEST_CASE("a failed write job leaves no file behind unless another row uses it") {
  Archive a;
  ClipUpload bad = upload("a", 10'000, 2);
  bad.windows[1].values.push_back(4.0);  // widths differ: refused inside the job
  auto refused = a.clips->add(bad, bytes_of('f'));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "invalid_argument");
  CHECK(refused.error().index == 1);
  CHECK(a.count("SELECT COUNT(*) FROM clips") == 0);
  CHECK(a.count("SELECT COUNT(*) FROM devices") == 0);
  CHECK(a.count("SELECT COUNT(*) FROM window_features") == 0);
  CHECK_FALSE(fs::exists(a.file(clip_relative_path(util::sha256_hex(bytes_of('f')), "wav"))));
  CHECK(a.clips->stored_bytes() == 0);

  const StoredClip kept = add(a, upload("a", 11'000), bytes_of('k'));
  REQUIRE_FALSE(a.clips->add(bad, bytes_of('k')).ok());
  CHECK(file_bytes(a.file(kept.path)) == bytes_of('k'));
  CHECK(a.clips->stored_bytes() == 1000);
}

TEST_CASE("an upload the store cannot keep is refused before any file is written") {
  Archive a;
  ClipUpload u = upload("bad device id!", 10'000);
  auto refused = a.clips->add(u, bytes_of('b'));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().field == "device_id");
  u = upload("a", 10'000);
  CHECK_FALSE(a.clips->add(u, "").ok());
  u.extension = "../x";
  CHECK_FALSE(a.clips->add(u, bytes_of('b')).ok());
  CHECK(fs::is_empty(a.dir.path() / "clips"));
}

TEST_CASE("beyond the quota the oldest unpinned clips are evicted and pinned ones kept") {
  Archive a(3'500);
  const StoredClip oldest = add(a, upload("a", 10'000), bytes_of('1'));
  const StoredClip second = add(a, upload("a", 11'000), bytes_of('2'));
  const StoredClip third = add(a, upload("a", 12'000), bytes_of('3'));
  REQUIRE(a.store->writer()
              .run([&](WriteTxn& txn) -> Result<std::int64_t> {
                return pin_clips(txn, "run-1", {oldest.clip_id});
              })
              .value() == 1);

  const StoredClip fourth = add(a, upload("a", 13'000), bytes_of('4'));
  CHECK(fourth.eviction.files_removed == 1);
  CHECK(fourth.eviction.bytes_freed == 1000);
  CHECK(a.clips->stored_bytes() == 3000);
  CHECK(fs::exists(a.file(oldest.path)));  // pinned
  CHECK_FALSE(fs::exists(a.file(second.path)));
  CHECK(a.row(second.clip_id).evicted_at == 13'000);
  CHECK(fs::exists(a.file(third.path)));
  CHECK_FALSE(a.row(third.clip_id).evicted_at.has_value());
  // Evicted rows and their windows stay.
  CHECK(a.count("SELECT COUNT(*) FROM clips") == 4);
  CHECK(a.count("SELECT COUNT(*) FROM window_features") == 8);

  // Once unpinned, the oldest goes first.
  REQUIRE(a.store->writer()
              .run([](WriteTxn& txn) -> Result<std::int64_t> { return unpin_clips(txn, "run-1"); })
              .value() == 1);
  add(a, upload("a", 14'000), bytes_of('5'));
  CHECK_FALSE(fs::exists(a.file(oldest.path)));
  CHECK(fs::exists(a.file(third.path)));
}

TEST_CASE("a shared file is evicted with every row using it, and kept while any pins it") {
  Archive a(2'500);
  const StoredClip x1 = add(a, upload("a", 10'000), bytes_of('x'));
  const StoredClip y = add(a, upload("a", 11'000), bytes_of('y'));
  const StoredClip x2 = add(a, upload("b", 12'000), bytes_of('x'));
  REQUIRE(a.store->writer()
              .run([&](WriteTxn& txn) -> Result<std::int64_t> {
                return pin_clips(txn, "run-2", {x2.clip_id});
              })
              .value() == 1);
  add(a, upload("a", 13'000), bytes_of('z'));  // x is pinned through x2: y goes
  CHECK(fs::exists(a.file(x1.path)));
  CHECK_FALSE(a.row(x1.clip_id).evicted_at.has_value());
  CHECK_FALSE(fs::exists(a.file(y.path)));

  REQUIRE(a.store->writer()
              .run([](WriteTxn& txn) -> Result<std::int64_t> { return unpin_clips(txn, "run-2"); })
              .ok());
  add(a, upload("a", 14'000), bytes_of('w'));
  CHECK_FALSE(fs::exists(a.file(x1.path)));
  CHECK(a.row(x1.clip_id).evicted_at == 14'000);
  CHECK(a.row(x2.clip_id).evicted_at == 14'000);
  CHECK(a.clips->stored_bytes() == 2000);
}

TEST_CASE("when everything left is pinned the quota stays exceeded and nothing breaks") {
  Archive a(5'000);
  std::vector<std::string> ids;
  for (char c : {'1', '2', '3'})
    ids.push_back(add(a, upload("a", 10'000 + c), bytes_of(c)).clip_id);
  REQUIRE(
      a.store->writer()
          .run([&](WriteTxn& txn) -> Result<std::int64_t> { return pin_clips(txn, "run-3", ids); })
          .value() == 3);
  a.reopen(2'500);
  CHECK(a.clips->start_report().eviction.files_removed == 0);
  CHECK(a.clips->start_report().eviction.still_over_quota);
  CHECK(a.clips->stored_bytes() == 3000);

  const StoredClip extra = add(a, upload("a", 20'000), bytes_of('4'));
  CHECK(extra.eviction.files_removed == 1);  // the only unpinned clip: itself
  CHECK(extra.eviction.still_over_quota);
  CHECK_FALSE(fs::exists(a.file(extra.path)));
  CHECK(a.clips->stored_bytes() == 3000);
  CHECK(a.count("SELECT COUNT(*) FROM clips WHERE evicted_at IS NULL") == 3);
}

TEST_CASE("pins apply only to clips that still have their file and are not pinned by another run") {
  Archive a(1'500);
  const StoredClip first = add(a, upload("a", 10'000), bytes_of('1'));
  const StoredClip second = add(a, upload("a", 11'000), bytes_of('2'));  // evicts first
  REQUIRE(a.row(first.clip_id).evicted_at.has_value());
  auto pinned = a.store->writer().run([&](WriteTxn& txn) -> Result<std::int64_t> {
    const std::int64_t mine = pin_clips(txn, "run-a", {first.clip_id, second.clip_id, "nope"});
    const std::int64_t theirs = pin_clips(txn, "run-b", {second.clip_id});
    return mine * 10 + theirs;
  });
  CHECK(pinned.value() == 10);
  CHECK(a.row(second.clip_id).pinned_by == "run-a");
  CHECK_FALSE(a.row(first.clip_id).pinned_by.has_value());
}

TEST_CASE("opening the archive removes temp files and orphans and marks rows whose file is gone") {
  Archive a;
  const StoredClip kept = add(a, upload("a", 10'000), bytes_of('k'));
  const StoredClip lost = add(a, upload("a", 11'000), bytes_of('l'));
  fs::remove(a.file(lost.path));
  const std::string orphan = clip_relative_path(std::string(64, 'e'), "wav");
  fs::create_directories(a.file(orphan).parent_path());
  std::ofstream(a.file(orphan)) << "left by a crash before its row committed";
  std::ofstream(a.file(kept.path).parent_path() / ".tmp-0123abcd") << "half a clip";
  std::ofstream(a.dir.path() / "clips" / "README") << "not ours";

  a.reopen(1'000'000, 60'000);
  const ArchiveStartReport& report = a.clips->start_report();
  CHECK(report.temp_files_removed == 1);
  CHECK(report.orphan_files_removed == 1);
  CHECK(report.rows_missing_file == 1);
  CHECK(a.row(lost.clip_id).evicted_at == 60'000);
  CHECK_FALSE(a.row(kept.clip_id).evicted_at.has_value());
  CHECK(a.clips->stored_bytes() == 1000);
  CHECK_FALSE(fs::exists(a.file(orphan)));
  CHECK_FALSE(fs::exists(a.file(kept.path).parent_path() / ".tmp-0123abcd"));
  CHECK(fs::exists(a.dir.path() / "clips" / "README"));
  CHECK(file_bytes(a.file(kept.path)) == bytes_of('k'));
}

TEST_CASE("opening the archive with a smaller quota evicts down to it") {
  Archive a;
  for (int i = 0; i < 4; ++i) add(a, upload("a", 10'000 + i), bytes_of(static_cast<char>('a' + i)));
  a.reopen(2'000);
  CHECK(a.clips->start_report().eviction.files_removed == 2);
  CHECK(a.clips->stored_bytes() == 2000);
  CHECK(a.count("SELECT COUNT(*) FROM clips WHERE evicted_at IS NULL") == 2);
  CHECK(a.count("SELECT MIN(received_ms) FROM clips WHERE evicted_at IS NULL") == 10'002);
}

TEST_CASE("clips are listed newest first, filtered by version, device, time and file") {
  Archive a(2'500);
  add(a, upload("a", 10'000), bytes_of('1'));
  add(a, upload("b", 11'000), bytes_of('2'));
  add(a, upload("a", 12'000), bytes_of('3'));  // evicts the first
  auto live = list_clips(*a.store, {"12", std::nullopt, 0, 100'000, true, 10});
  REQUIRE(live.ok());
  REQUIRE(live->size() == 2);
  CHECK((*live)[0].received == 12'000);
  auto all_a = list_clips(*a.store, {"12", std::string("a"), 0, 100'000, false, 10});
  CHECK(all_a->size() == 2);
  CHECK(list_clips(*a.store, {"13", std::nullopt, 0, 100'000, false, 10})->empty());
  CHECK(list_clips(*a.store, {"", std::nullopt, 10'000, 11'000, false, 10})->size() == 1);
}

TEST_CASE("clip file names are recognised only in the content-addressed form") {
  const std::string sha(64, 'a');
  CHECK(clip_relative_path(sha, "wav") == "aa/" + sha + ".wav");
  CHECK(is_clip_relative_path("aa/" + sha + ".flac"));
  CHECK_FALSE(is_clip_relative_path("ab/" + sha + ".wav"));  // wrong folder
  CHECK_FALSE(is_clip_relative_path("aa/" + sha));
  CHECK_FALSE(is_clip_relative_path("aa/" + std::string(64, 'g') + ".wav"));
  CHECK_FALSE(is_clip_relative_path("aa/.tmp-1234"));
}
