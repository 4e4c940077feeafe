#include <doctest/doctest.h>

#include "driftd/net/url.hpp"

using driftd::net::encode_uri_component;
using driftd::net::join_url;
using driftd::net::query_string;

TEST_CASE("encodeURIComponent keeps exactly the unreserved characters") {
  const std::string kept =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()";
  CHECK(encode_uri_component(kept) == kept);
  CHECK(encode_uri_component("") == "");
}

TEST_CASE("encodeURIComponent matches JavaScript on reserved, space and control characters") {
  CHECK(encode_uri_component("a b") == "a%20b");
  CHECK(encode_uri_component("/?:@&=+$,#") == "%2F%3F%3A%40%26%3D%2B%24%2C%23");
  CHECK(encode_uri_component("%") == "%25");
  CHECK(encode_uri_component("[]{}|\\^`\"<>;") == "%5B%5D%7B%7D%7C%5C%5E%60%22%3C%3E%3B");
  CHECK(encode_uri_component("line\nbreak\ttab") == "line%0Abreak%09tab");
  CHECK(encode_uri_component(std::string("nul\0x", 5)) == "nul%00x");
}

TEST_CASE("encodeURIComponent writes UTF-8 bytes in uppercase hex") {
  CHECK(encode_uri_component("café") == "caf%C3%A9");
  CHECK(encode_uri_component("€") == "%E2%82%AC");
  CHECK(encode_uri_component("日本") == "%E6%97%A5%E6%9C%AC");
  CHECK(encode_uri_component("😀") == "%F0%9F%98%80");  // a code point outside the BMP
  CHECK(encode_uri_component("baby crying / café") == "baby%20crying%20%2F%20caf%C3%A9");
}

TEST_CASE("query strings encode keys and values and join base URLs without double slashes") {
  CHECK(query_string({}) == "");
  CHECK(query_string({{"category", "training"}, {"limit", "10"}}) == "?category=training&limit=10");
  CHECK(query_string({{"a b", "c&d=e"}}) == "?a%20b=c%26d%3De");
  CHECK(join_url("http://h:1/", "/v1/x") == "http://h:1/v1/x");
  CHECK(join_url("http://h:1//", "/v1/x") == "http://h:1/v1/x");
  CHECK(join_url("http://h:1", "/v1/x") == "http://h:1/v1/x");
}
