#pragma once
// Private to the api module: the plain-HTTP cpp-httplib server with a guard against slow
// clients. cpp-httplib gives every connection a pool thread for its whole life and its read
// timeout applies to each single read, so a client that sends its headers one byte every few
// seconds ("slowloris"), or an idle keep-alive connection, holds a thread indefinitely;
// server.threads such clients and nobody else is served. Here:
//   - the request line and headers must arrive within k_header_deadline in total, counted
//     from the moment the connection was accepted (or, on a kept-alive connection, from when
//     its next request began), however the bytes trickle in; bytes already received are
//     always read, so only waiting is cut short;
//   - a kept-alive connection idle for k_keep_grace gives its thread up as soon as another
//     connection waits; one whose next request comes sooner is still in use and keeps it.
// So a waiting client is served at the latest about k_header_deadline after it connected,
// whatever slow clients came before it. Bodies keep the per-read timeout (they are read
// only after authentication). HTTPS connections keep cpp-httplib's own handling.
//
// An answer may also be sent later, by another thread (answer_later()): the handler
// returns at once, whatever cpp-httplib writes for that request is dropped, and the thread
// that finishes the work (the store's writer, after its commit) sends the real answer
// straight to the socket. The connection's thread meanwhile waits for the client's next
// request, as after any answer: one sleep per request instead of two. Before it reads a
// further request (a client may pipeline) or closes, it waits until that answer is out, so
// answers keep their order and never go to a closed socket.

#include <httplib.h>

#include "driftd/net/later_send.hpp"

#include <atomic>
#include <chrono>
#include <memory>

namespace driftd::api {

inline constexpr std::chrono::seconds k_header_deadline{10};
inline constexpr std::chrono::milliseconds k_keep_grace{20};

class GuardedServer : public httplib::Server {
 public:
  // `threads` pool threads serve the connections (first come, first served).
  explicit GuardedServer(int threads);

  // Tells the connection being served on this thread that its request's headers are in
  // (call from the pre-routing and the Expect: 100-continue handlers); no-op elsewhere.
  static void headers_complete();

  // Closes the connection being served on this thread once the current response is
  // written: for a refusal that left the request's body unread, whose bytes must never
  // be parsed as the next request. No-op elsewhere.
  static void close_after_response();

  // For the request being served on this thread: a handle to send its answer with later,
  // from any thread; what cpp-httplib writes for the request is then dropped. Null when
  // the answer must be written now: not a guarded connection, or it closes after this
  // request (its last keep-alive request, or close_after_response()).
  static std::shared_ptr<net::LaterSend> answer_later();

 private:
  bool process_and_close_socket(socket_t sock) override;
  // Waits until the next request on a kept-alive connection starts; false when the
  // keep-alive timeout passes, the server stops, or another connection waits for a thread.
  bool next_request_arrives(socket_t sock) const;

  std::shared_ptr<std::atomic<int>> m_waiting;  // accepted connections without a thread
};

}  // namespace driftd::api
