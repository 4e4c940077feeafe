#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "driftd/store/errors.hpp"
#include "driftd/store/results.hpp"
#include "driftd/store/store.hpp"
#include "driftd/store/tokens.hpp"
#include "driftd/util/secrets.hpp"
#include "support/store_scratch.hpp"

using driftd::Ok;
using driftd::Status;
using driftd::store::create_token;
using driftd::store::has_admin_token;
using driftd::store::list_tokens;
using driftd::store::revoke_token;
using driftd::store::Role;
using driftd::store::TokenAuthenticator;
using driftd::store::WriteTxn;
using driftd::test::file_bytes;
using driftd::test::open_store;
using driftd::test::ScratchDir;

TEST_CASE("a created token authenticates with its role and device id") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  auto device = create_token(*store, Role::device, "nursery-04", 10);
  auto viewer = create_token(*store, Role::viewer, "", 11);
  REQUIRE(device.ok());
  REQUIRE(viewer.ok());
  CHECK(device->token.starts_with("drd_"));
  CHECK(device->token.size() == 4 + 43);
  CHECK(device->token != viewer->token);

  TokenAuthenticator auth(*store, std::nullopt);
  auto as_device = auth.authenticate(device->token, 20);
  REQUIRE(as_device.ok());
  REQUIRE(as_device->has_value());
  CHECK(as_device.value()->role == Role::device);
  CHECK(as_device.value()->device_id == "nursery-04");
  CHECK(as_device.value()->token_id == device->id);

  auto as_viewer = auth.authenticate(viewer->token, 20);
  REQUIRE(as_viewer.ok());
  REQUIRE(as_viewer->has_value());
  CHECK(as_viewer.value()->role == Role::viewer);
  CHECK(as_viewer.value()->device_id.empty());
}

TEST_CASE("unknown, altered, empty and oversized tokens do not authenticate") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  auto created = create_token(*store, Role::admin, "", 10);
  REQUIRE(created.ok());
  TokenAuthenticator auth(*store, std::nullopt);
  std::string altered = created->token;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  for (const std::string& token :
       {std::string(), altered, std::string("drd_unknown"), std::string(10000, 'x')}) {
    auto result = auth.authenticate(token, 20);
    REQUIRE(result.ok());
    CHECK_FALSE(result->has_value());
  }
}

TEST_CASE("only the token's hash is stored, never the token") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  auto store = open_store(db);
  auto created = create_token(*store, Role::admin, "", 10);
  REQUIRE(created.ok());
  store->close();

  const std::string bytes = file_bytes(db) + file_bytes(db.string() + "-wal");
  CHECK(bytes.find(created->token) == std::string::npos);
  CHECK(bytes.find(created->token.substr(4)) == std::string::npos);
  SQLite::Database raw(db.string(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("SELECT hash FROM tokens").getString() ==
        driftd::util::sha256_hex(created->token));
}

TEST_CASE("a revoked token fails at once, also when revoked through another connection") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  auto store = open_store(db);
  auto created = create_token(*store, Role::viewer, "", 10);
  REQUIRE(created.ok());
  TokenAuthenticator auth(*store, std::nullopt);
  REQUIRE(auth.authenticate(created->token, 20)->has_value());

  auto other_process = open_store(db);  // as `driftd token revoke` would
  REQUIRE(revoke_token(*other_process, created->id, 30).ok());
  auto after = auth.authenticate(created->token, 40);
  REQUIRE(after.ok());
  CHECK_FALSE(after->has_value());
}

TEST_CASE("revoking an unknown token is an error and revoking twice keeps the first time") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  Status unknown = revoke_token(*store, 12345, 10);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == "not_found");

  auto created = create_token(*store, Role::viewer, "", 10);
  REQUIRE(created.ok());
  CHECK(revoke_token(*store, created->id, 50).ok());
  CHECK(revoke_token(*store, created->id, 60).ok());
  auto tokens = list_tokens(*store);
  REQUIRE(tokens.ok());
  REQUIRE(tokens->size() == 1);
  CHECK(tokens->front().revoked == 50);
}

TEST_CASE("listing shows every token's role, device and times") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  auto a = create_token(*store, Role::device, "dev-1", 100);
  auto b = create_token(*store, Role::admin, "", 200);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(revoke_token(*store, b->id, 300).ok());
  auto tokens = list_tokens(*store);
  REQUIRE(tokens.ok());
  REQUIRE(tokens->size() == 2);
  CHECK(tokens->at(0).id == a->id);
  CHECK(tokens->at(0).role == Role::device);
  CHECK(tokens->at(0).device_id == "dev-1");
  CHECK(tokens->at(0).created == 100);
  CHECK_FALSE(tokens->at(0).revoked.has_value());
  CHECK(tokens->at(1).role == Role::admin);
  CHECK(tokens->at(1).device_id.empty());
  CHECK(tokens->at(1).revoked == 300);
}

TEST_CASE("device tokens need a valid device id and other roles take none") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  const std::vector<std::string> bad_ids = {"", "has space", "slash/no", std::string(65, 'a')};
  for (const std::string& bad : bad_ids) {
    auto created = create_token(*store, Role::device, bad, 10);
    REQUIRE_FALSE(created.ok());
    CHECK(created.error().code == "invalid_argument");
  }
  CHECK(create_token(*store, Role::device, std::string(64, 'a'), 10).ok());
  CHECK(create_token(*store, Role::device, "A-z_0.9:x", 10).ok());
  auto viewer = create_token(*store, Role::viewer, "dev-1", 10);
  REQUIRE_FALSE(viewer.ok());
  CHECK(viewer.error().field == "device_id");
}

TEST_CASE("the environment's admin token authenticates as admin without a stored row") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  const std::string secret = "env-admin-secret-value";
  TokenAuthenticator auth(*store, secret);
  auto principal = auth.authenticate(secret, 10);
  REQUIRE(principal.ok());
  REQUIRE(principal->has_value());
  CHECK(principal.value()->role == Role::admin);
  CHECK(principal.value()->token_id == 0);
  CHECK_FALSE(auth.authenticate(secret + "x", 10)->has_value());
  CHECK(has_admin_token(*store).value() == false);
  CHECK(list_tokens(*store)->empty());
}

TEST_CASE("has_admin_token sees only unrevoked admin tokens") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  CHECK(has_admin_token(*store).value() == false);
  REQUIRE(create_token(*store, Role::viewer, "", 10).ok());
  CHECK(has_admin_token(*store).value() == false);
  auto admin = create_token(*store, Role::admin, "", 10);
  REQUIRE(admin.ok());
  CHECK(has_admin_token(*store).value() == true);
  REQUIRE(revoke_token(*store, admin->id, 20).ok());
  CHECK(has_admin_token(*store).value() == false);
}

TEST_CASE("a token's last use is recorded at most once per resolution step") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  auto created = create_token(*store, Role::viewer, "", 10);
  REQUIRE(created.ok());
  TokenAuthenticator auth(*store, std::nullopt);
  auto last_used = [&] {
    // Jobs run in order: once this one has committed, the recording queued before has too.
    REQUIRE(store->writer().run([](WriteTxn&) -> Status { return Ok{}; }).ok());
    return list_tokens(*store)->front().last_used;
  };
  CHECK_FALSE(last_used().has_value());
  REQUIRE(auth.authenticate(created->token, 100'000)->has_value());
  CHECK(last_used() == 100'000);
  REQUIRE(auth.authenticate(created->token, 130'000)->has_value());
  CHECK(last_used() == 100'000);
  REQUIRE(auth.authenticate(created->token, 160'000)->has_value());
  CHECK(last_used() == 160'000);
}

TEST_CASE("a cached token says so, and a write made with it after a revocation stores nothing") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  auto store = open_store(db);
  auto created = create_token(*store, Role::device, "nursery-04", 10);
  REQUIRE(created.ok());
  TokenAuthenticator auth(*store, std::nullopt);

  // First sight reads the database; afterwards the cache answers and says so.
  auto first = auth.authenticate_cached(created->token, 20);
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  CHECK_FALSE(first.value()->cached);
  auto second = auth.authenticate_cached(created->token, 21);
  REQUIRE(second->has_value());
  CHECK(second.value()->cached);
  CHECK(second.value()->token_id == created->id);
  CHECK(second.value()->device_id == "nursery-04");
  CHECK_FALSE(auth.authenticate(created->token, 22).value()->cached);

  driftd::store::ResultRecord record;
  record.device_id = "nursery-04";
  record.result_id = "r1";
  record.model_version = "12";
  record.timestamp = 1'000;
  record.label = "crying";
  record.confidence = 0.9;
  auto stored = driftd::store::insert_results(*store, {record}, 30, created->id);
  REQUIRE(stored.ok());
  CHECK(stored->accepted == 1);

  auto other_process = open_store(db);  // as `driftd token revoke` would
  REQUIRE(revoke_token(*other_process, created->id, 40).ok());

  // The cache may still answer, but the write confirms the token in its transaction.
  record.result_id = "r2";
  auto refused = driftd::store::insert_results(*store, {record}, 50, created->id);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == driftd::store::k_error_token_revoked);
  // A fresh look-up refuses it and forgets it: the cache no longer answers for it.
  CHECK_FALSE(auth.authenticate(created->token, 60)->has_value());
  CHECK_FALSE(auth.authenticate_cached(created->token, 61)->has_value());

  auto count = store->read([](driftd::store::Connection& c) -> driftd::Result<std::int64_t> {
    return c.db().execAndGet("SELECT count(*) FROM results").getInt64();
  });
  REQUIRE(count.ok());
  CHECK(count.value() == 1);
}
