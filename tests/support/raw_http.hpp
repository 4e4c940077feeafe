#pragma once
// HTTP at the byte level for tests that must send what a well-behaved client never would:
// malformed request lines and headers, lying Content-Length, broken chunking, invalid
// UTF-8 in the target, or requests dribbled out a few bytes at a time.

#include <chrono>
#include <map>
#include <string>

namespace driftd::test {

struct RawResponse {
  bool received = false;  // a status line came back before the connection ended
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;                            // de-chunked when the answer was chunked
};

// Connects to 127.0.0.1:`port`, sends `request` exactly as given, half-closes the
// connection (so a body shorter than its Content-Length ends at once), and reads the
// answer until the server closes or `timeout` passes.
RawResponse raw_exchange(int port, const std::string& request,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Parses one HTTP/1.x response from `bytes` (status line, headers, body).
RawResponse parse_raw_response(const std::string& bytes);

// A client socket under the test's control, for clients that send slowly.
class RawConnection {
 public:
  // Connects to 127.0.0.1:`port`; connected() tells whether it worked.
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return m_fd >= 0; }
  // Sends all of `bytes`; false when the peer has closed or reset the connection.
  bool send(const std::string& bytes);
  // True when the peer has closed the connection (a read sees EOF or an error); waits
  // at most `wait` for that to show. Reads and discards whatever the peer sent before.
  bool closed_by_peer(std::chrono::milliseconds wait = std::chrono::milliseconds(0));
  // Everything the peer sent until it closed or `timeout` passed.
  std::string read_all(std::chrono::milliseconds timeout);
  // One response: its headers and as many body bytes as its Content-Length says; what
  // came until the peer closed or `timeout` passed when it did not come whole.
  std::string read_response(std::chrono::milliseconds timeout);

 private:
  int m_fd = -1;
};

}  // namespace driftd::test
