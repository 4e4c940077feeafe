// The stand-ins themselves behave like the services they replace (so that the client
// tests prove something): raw requests the clients never send on purpose.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "support/outside_world.hpp"

using namespace driftd;
using nlohmann::json;

namespace {

net::HttpResponse post(const test::OutsideWorld& world, const std::string& path,
                       net::Headers headers, std::string body,
                       const net::HttpClient* http = nullptr) {
  net::HttpRequest r;
  r.method = net::Method::post;
  r.url = world.standins.base_url() + path;
  r.headers = std::move(headers);
  r.content_type = "application/json";
  r.body = std::move(body);
  auto outcome = (http != nullptr ? *http : world.http).send(r);
  REQUIRE(std::holds_alternative<net::HttpResponse>(outcome));
  return std::get<net::HttpResponse>(outcome);
}

std::string message_of(const net::HttpResponse& r) {
  return json::parse(r.body).value("message", std::string());
}

}  // namespace

TEST_CASE("the GitHub stand-in refuses what GitHub refuses, with GitHub's statuses") {
  test::OutsideWorld world;
  const net::Headers auth = {{"Authorization", "token " + world.standins.options().github_token}};
  const std::string path = "/repos/example/firmware/dispatches";

  const auto anonymous = post(world, path, {}, R"({"event_type":"e"})");
  CHECK(anonymous.status == 401);
  CHECK(message_of(anonymous) == "Requires authentication");
  CHECK(anonymous.header("x-ratelimit-limit").value() == "5000");

  const net::HttpClient no_agent(nullptr, "");
  const auto agentless = post(world, path, auth, R"({"event_type":"e"})", &no_agent);
  CHECK(agentless.status == 403);
  CHECK(message_of(agentless).find("User-Agent") != std::string::npos);

  CHECK(post(world, path, auth, "{not json").status == 400);
  CHECK(post(world, path, auth, "[1]").status == 400);

  const auto no_event = post(world, path, auth, R"({"client_payload":{}})");
  CHECK(no_event.status == 422);
  CHECK(message_of(no_event).find("event_type") != std::string::npos);

  json eleven = {{"event_type", "e"}, {"client_payload", json::object()}};
  for (int i = 0; i < 11; ++i) eleven["client_payload"]["k" + std::to_string(i)] = i;
  const auto too_many = post(world, path, auth, eleven.dump());
  CHECK(too_many.status == 422);
  CHECK(message_of(too_many) == "No more than 10 properties are allowed; 11 were supplied.");

  const auto not_object = post(world, path, auth, R"({"event_type":"e","client_payload":"x"})");
  CHECK(not_object.status == 422);
  CHECK(message_of(not_object).find("is not an object") != std::string::npos);

  const auto ok = post(world, path, auth, R"({"event_type":"e"})");
  CHECK(ok.status == 204);
  CHECK(ok.body.empty());
  CHECK(std::stoi(ok.header("x-ratelimit-remaining").value()) < 5000);
}

TEST_CASE("the ingestion stand-in infers labels from file names unless told otherwise") {
  test::OutsideWorld world;
  net::HttpRequest r;
  r.method = net::Method::post;
  r.url = world.standins.base_url() + "/api/training/files";
  r.headers = {{"x-api-key", world.standins.options().ei_api_key}};
  r.parts = {{"data", "idle.01.wav", "audio/wav", test::wav_clip(1)},
             {"data", "boxes.labels", "application/json", "{}"}};
  auto outcome = world.http.send(r);
  REQUIRE(std::holds_alternative<net::HttpResponse>(outcome));
  const auto body = json::parse(std::get<net::HttpResponse>(outcome).body);
  CHECK(body["files"].size() == 1);  // the .labels sidecar is not a sample
  CHECK(world.standins.samples().at(0).label == "idle");

  r.headers.push_back({"x-label", "bad%E0%A4"});  // truncated UTF-8 after decoding
  r.parts.resize(1);
  r.parts[0].data = test::wav_clip(2);
  outcome = world.http.send(r);
  REQUIRE(std::holds_alternative<net::HttpResponse>(outcome));
  CHECK(std::get<net::HttpResponse>(outcome).status == 400);
}

TEST_CASE("the Studio stand-in requires its key and answers in Edge Impulse's error shape") {
  test::OutsideWorld world;
  net::HttpRequest r;
  r.url = world.standins.base_url() + "/v1/api/1/raw-data?category=training";
  auto outcome = world.http.send(r);
  REQUIRE(std::holds_alternative<net::HttpResponse>(outcome));
  const auto& response = std::get<net::HttpResponse>(outcome);
  CHECK(response.status == 401);
  const auto body = json::parse(response.body);
  CHECK(body["success"] == false);
  CHECK(body["error"].is_string());

  r.headers = {{"x-api-key", world.standins.options().ei_api_key}};
  r.url = world.standins.base_url() + "/v1/api/1/raw-data";  // category is required
  outcome = world.http.send(r);
  REQUIRE(std::holds_alternative<net::HttpResponse>(outcome));
  CHECK(std::get<net::HttpResponse>(outcome).status == 400);
}
