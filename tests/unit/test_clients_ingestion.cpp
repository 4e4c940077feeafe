// Uploading clips through the ingestion client to the ingestion stand-in.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "support/outside_world.hpp"

using namespace driftd;
using clients::RemoteErrorKind;
using clients::UploadFileStatus;
using standins::FaultKind;
using standins::Route;

TEST_CASE("the x-label header is the label encoded like encodeURIComponent") {
  CHECK(clients::encode_label_header("baby crying") == "baby%20crying");
  CHECK(clients::encode_label_header("café ☕ / 日本") ==
        "caf%C3%A9%20%E2%98%95%20%2F%20%E6%97%A5%E6%9C%AC");
  CHECK(clients::encode_label_header("50%25 off") == "50%2525%20off");
}

TEST_CASE("labeled uploads decode back to exactly the label given") {
  test::OutsideWorld world;
  const auto client = world.ingestion();
  unsigned seed = 0;
  // "50%25 off" would arrive as "50% off" if it were sent without encoding, and a line
  // break could not be sent in a header at all.
  for (const std::string label :
       {"baby crying", "café ☕ / 日本", "a+b%c&d", "50%25 off", "two\nlines", "😀"}) {
    const auto result =
        client.upload({{"clip.wav", test::wav_clip(++seed)}}, test::upload_options(label));
    REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
    REQUIRE(result->size() == 1);
    CHECK(result->at(0).status == UploadFileStatus::stored);
    CHECK(result->at(0).sample_id.has_value());
    CHECK(world.standins.samples().back().label == label);
  }
  const auto sent = world.standins.requests(Route::ingestion_files);
  CHECK(sent[0].header("x-disallow-duplicates") == "1");
  CHECK(sent[0].header("x-no-label") == "");
  CHECK(sent[0].header("x-api-key") == world.standins.options().ei_api_key);
  CHECK(sent[0].path == "/api/training/files");
  REQUIRE(sent[0].parts.size() == 1);
  CHECK(sent[0].parts[0].name == "data");
  CHECK(sent[0].parts[0].filename == "clip.wav");
  CHECK(sent[0].parts[0].content_type == "audio/wav");
}

TEST_CASE("several files go in one request and come back in order with their sample ids") {
  test::OutsideWorld world;
  auto options = test::upload_options("dog", "testing");
  options.metadata = {{"device", "nursery-04"}};
  const auto result = world.ingestion().upload({{"one.wav", test::wav_clip(1)},
                                                {"two.wav", test::wav_clip(2)},
                                                {"three.wav", test::wav_clip(3)}},
                                               options);
  REQUIRE(result.ok());
  REQUIRE(result->size() == 3);
  const auto samples = world.standins.samples();
  REQUIRE(samples.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(result->at(i).sample_id == samples[i].id);
    CHECK(result->at(i).file_name == samples[i].original_name);
    CHECK(samples[i].category == "testing");
    CHECK(samples[i].metadata.at("device") == "nursery-04");
  }
  CHECK(result->at(1).stored_name.starts_with("two."));  // x-add-date-id made it unique
  CHECK(world.standins.requests(Route::ingestion_files).at(0).header("x-add-date-id") == "1");
  CHECK(world.standins.requests(Route::ingestion_files).size() == 1);
}

TEST_CASE("unlabeled uploads send x-no-label and no x-label, and stay unlabeled") {
  test::OutsideWorld world;
  const auto result = world.ingestion().upload({{"crying.01.wav", test::wav_clip(9)}},
                                               test::upload_options(std::nullopt));
  REQUIRE(result.ok());
  CHECK(result->at(0).status == UploadFileStatus::stored);
  const auto sent = world.standins.requests(Route::ingestion_files).at(0);
  CHECK(sent.header("x-no-label") == "1");
  bool has_label_header = false;
  for (const auto& [name, value] : sent.headers) has_label_header |= name == "x-label";
  CHECK_FALSE(has_label_header);
  CHECK_FALSE(world.standins.samples().at(0).label.has_value());  // not inferred "crying"

  const auto empty =
      world.ingestion().upload({{"idle.wav", test::wav_clip(10)}}, test::upload_options(""));
  REQUIRE(empty.ok());
  CHECK(world.standins.requests(Route::ingestion_files).at(1).header("x-no-label") == "1");
  CHECK_FALSE(world.standins.samples().at(1).label.has_value());
}

TEST_CASE("a clip the project already holds comes back as a duplicate, not as a failure") {
  test::OutsideWorld world;
  const auto client = world.ingestion();
  REQUIRE(client.upload({{"a.wav", test::wav_clip(5)}}, test::upload_options("x")).ok());

  const auto again =
      client.upload({{"a-again.wav", test::wav_clip(5)}, {"b.wav", test::wav_clip(6)}},
                    test::upload_options("x"));
  REQUIRE(again.ok());
  CHECK(again->at(0).status == UploadFileStatus::duplicate);
  CHECK(again->at(0).error.find("already exists") != std::string::npos);
  CHECK_FALSE(again->at(0).sample_id.has_value());
  CHECK(again->at(1).status == UploadFileStatus::stored);
  CHECK(world.standins.samples().size() == 2);

  auto allow = test::upload_options("x");
  allow.disallow_duplicates = false;
  const auto allowed = client.upload({{"a-third.wav", test::wav_clip(5)}}, allow);
  REQUIRE(allowed.ok());
  CHECK(allowed->at(0).status == UploadFileStatus::stored);
}

TEST_CASE("a file the service cannot read is rejected on its own") {
  test::OutsideWorld world;
  const auto result = world.ingestion().upload(
      {{"good.wav", test::wav_clip(1)}, {"bad.wav", "not a wav file"}}, test::upload_options("x"));
  REQUIRE(result.ok());
  CHECK(result->at(0).status == UploadFileStatus::stored);
  CHECK(result->at(1).status == UploadFileStatus::rejected);
  CHECK(result->at(1).error.find("WAV") != std::string::npos);
}

TEST_CASE("whole-request failures of an upload are classified") {
  test::OutsideWorld world;
  const std::vector<clients::UploadFile> files = {{"a.wav", test::wav_clip(1)}};

  auto other = world.edge_impulse;
  const clients::IngestionClient wrong_key(world.http, other, "ei_wrong_key_000000");
  auto denied = wrong_key.upload(files, test::upload_options("x"));
  REQUIRE_FALSE(denied.ok());
  test::check_remote_error(denied.error(), RemoteErrorKind::auth);
  CHECK(denied.error().message.find("Invalid API key") != std::string::npos);

  auto bad_category =
      world.ingestion().upload(files, test::upload_options(std::nullopt, "nonsense"));
  REQUIRE_FALSE(bad_category.ok());
  test::check_remote_error(bad_category.error(), RemoteErrorKind::invalid);
  CHECK(bad_category.error().http_status == 400);

  world.standins.inject_fault(Route::ingestion_files, test::fault(FaultKind::server_error));
  auto broken = world.ingestion().upload(files, test::upload_options("x"));
  REQUIRE_FALSE(broken.ok());
  test::check_remote_error(broken.error(), RemoteErrorKind::server_error);
  CHECK(broken.error().transient());

  world.standins.inject_fault(Route::ingestion_files, test::fault(FaultKind::drop_connection));
  auto dropped = world.ingestion().upload(files, test::upload_options("x"));
  REQUIRE_FALSE(dropped.ok());
  test::check_remote_error(dropped.error(), RemoteErrorKind::transport);

  const auto before = world.standins.requests().size();
  auto empty = world.ingestion().upload({}, test::upload_options("x"));
  REQUIRE_FALSE(empty.ok());
  test::check_remote_error(empty.error(), RemoteErrorKind::invalid);
  CHECK(world.standins.requests().size() == before);  // refused without a call
}
