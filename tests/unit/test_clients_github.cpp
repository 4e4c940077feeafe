// repository_dispatch through the GitHub client against the GitHub stand-in.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "support/outside_world.hpp"

using namespace driftd;
using clients::RemoteErrorKind;
using nlohmann::json;
using standins::FaultKind;
using standins::Route;

namespace {

const json k_payload = {{"project_id", 1},
                        {"job_id", 12},
                        {"run_id", "r-1"},
                        {"model_version", "12"},
                        {"test_accuracy", 0.91}};

}  // namespace

TEST_CASE("a dispatch is accepted with GitHub's headers and its payload arrives intact") {
  test::OutsideWorld world;
  const auto result = world.github_client().dispatch("edge-impulse-retrained", k_payload);
  REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));

  const auto dispatches = world.standins.dispatches();
  REQUIRE(dispatches.size() == 1);
  CHECK(dispatches[0].repository == "example/firmware");
  CHECK(dispatches[0].event_type == "edge-impulse-retrained");
  CHECK(json::parse(dispatches[0].client_payload) == k_payload);

  const auto sent = world.standins.requests(Route::github_dispatch).at(0);
  CHECK(sent.status == 204);
  CHECK(sent.path == "/repos/example/firmware/dispatches");
  CHECK(sent.header("Authorization") == "Bearer " + world.standins.options().github_token);
  CHECK(sent.header("Accept") == "application/vnd.github+json");
  CHECK(sent.header("X-GitHub-Api-Version") == "2022-11-28");
  CHECK(sent.header("User-Agent").starts_with("driftd/"));
  CHECK(sent.header("Content-Type") == "application/json");
}

TEST_CASE("a payload GitHub would refuse is refused before any call") {
  test::OutsideWorld world;
  const auto client = world.github_client();
  json eleven = json::object();
  for (int i = 0; i < 11; ++i) eleven["k" + std::to_string(i)] = i;
  json ten = eleven;
  ten.erase("k10");

  const auto too_many = client.dispatch("e", eleven);
  REQUIRE_FALSE(too_many.ok());
  test::check_remote_error(too_many.error(), RemoteErrorKind::invalid);
  CHECK(too_many.error().message.find("11 top-level keys") != std::string::npos);
  const auto not_object = client.dispatch("e", json::array({1, 2}));
  REQUIRE_FALSE(not_object.ok());
  test::check_remote_error(not_object.error(), RemoteErrorKind::invalid);
  const auto long_event = client.dispatch(std::string(101, 'e'), k_payload);
  REQUIRE_FALSE(long_event.ok());
  test::check_remote_error(long_event.error(), RemoteErrorKind::invalid);
  CHECK(world.standins.requests().empty());

  CHECK(client.dispatch("e", ten).ok());  // ten keys are allowed
}

TEST_CASE("GitHub's refusals are permanent errors carrying GitHub's message") {
  test::OutsideWorld world;
  const json huge = {{"blob", std::string(70 * 1024, 'x')}};
  const auto too_large = world.github_client().dispatch("e", huge);
  REQUIRE_FALSE(too_large.ok());
  test::check_remote_error(too_large.error(), RemoteErrorKind::invalid);
  CHECK(too_large.error().http_status == 422);
  CHECK(too_large.error().message.find("client_payload is too large") != std::string::npos);

  auto elsewhere = world.github;
  elsewhere.repository = "example/unknown";
  const clients::GitHubClient unknown_repo(world.http, elsewhere,
                                           world.standins.options().github_token);
  const auto missing = unknown_repo.dispatch("e", k_payload);
  REQUIRE_FALSE(missing.ok());
  test::check_remote_error(missing.error(), RemoteErrorKind::not_found);
  CHECK_FALSE(missing.error().transient());

  const clients::GitHubClient bad_token(world.http, world.github, "ghp_wrong_token_123");
  const auto denied = bad_token.dispatch("e", k_payload);
  REQUIRE_FALSE(denied.ok());
  test::check_remote_error(denied.error(), RemoteErrorKind::auth);
  CHECK(denied.error().message.find("Bad credentials") != std::string::npos);

  auto malformed = world.github;
  malformed.repository = "no-slash";
  const clients::GitHubClient bad_repo(world.http, malformed, "t0ken-x");
  const auto refused = bad_repo.dispatch("e", k_payload);
  REQUIRE_FALSE(refused.ok());
  test::check_remote_error(refused.error(), RemoteErrorKind::invalid);
  CHECK(world.standins.dispatches().empty());
}

TEST_CASE("GitHub's rate limits are transient and carry the wait until the reset") {
  test::OutsideWorld world;
  const auto client = world.github_client();
  world.standins.inject_fault(Route::github_dispatch, test::rate_fault(FaultKind::github_rate_limit,
                                                                       std::chrono::seconds(30)));
  const auto primary = client.dispatch("e", k_payload);
  REQUIRE_FALSE(primary.ok());
  test::check_remote_error(primary.error(), RemoteErrorKind::rate_limited);
  CHECK(primary.error().http_status == 403);
  REQUIRE(primary.error().retry_after.has_value());
  CHECK(*primary.error().retry_after > std::chrono::seconds(25));  // reset has 1 s resolution
  CHECK(*primary.error().retry_after <= std::chrono::seconds(32));

  world.standins.inject_fault(Route::github_dispatch, test::rate_fault(FaultKind::too_many_requests,
                                                                       std::chrono::seconds(4)));
  const auto secondary = client.dispatch("e", k_payload);
  REQUIRE_FALSE(secondary.ok());
  test::check_remote_error(secondary.error(), RemoteErrorKind::rate_limited);
  CHECK(secondary.error().retry_after == std::chrono::milliseconds(4000));

  world.standins.inject_fault(Route::github_dispatch, test::fault(FaultKind::server_error));
  const auto broken = client.dispatch("e", k_payload);
  REQUIRE_FALSE(broken.ok());
  test::check_remote_error(broken.error(), RemoteErrorKind::server_error);

  CHECK(world.standins.dispatches().empty());
  CHECK(client.dispatch("e", k_payload).ok());
  CHECK(world.standins.dispatches().size() == 1);
}
