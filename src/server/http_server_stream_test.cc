// End-to-end tests of streamed responses (chunked, Server-Sent Events), disconnect
// detection, backpressure and graceful shutdown, over real loopback sockets.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "server/http_server.h"
#include "server/testing/server_fixture.h"
#include "server/testing/test_http_client.h"

namespace savoir::server {
namespace {

using namespace std::chrono_literals;
using testutil::GetRequest;
using testutil::TestHttpClient;

// Hands the Responder of a streaming request over to the test thread.
class ResponderSlot {
 public:
  void Put(std::shared_ptr<Responder> responder) {
    std::lock_guard lock(mu_);
    responder_ = std::move(responder);
    cv_.notify_all();
  }
  std::shared_ptr<Responder> Take() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 5s, [this] { return responder_ != nullptr; });
    return std::move(responder_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<Responder> responder_;  // guarded by mu_
};

class HttpServerStreamTest : public testutil::ServerFixture {
 protected:
  void SetUp() override {
    router_->Add("GET", "/hello", [](HttpRequest&, std::shared_ptr<Responder> responder) {
      responder->Send(HttpResponse::Text(200, "hello"));
    });
    // Starts an event stream and leaves the rest to the test.
    router_->Add("GET", "/events", [this](HttpRequest&, std::shared_ptr<Responder> responder) {
      responder->OnDisconnect([this] { disconnected_.set_value(); });
      responder->StartStream(200, "text/event-stream");
      slot_.Put(responder);
    });
    // Keeps the request without answering.
    router_->Add("GET", "/pending", [this](HttpRequest&, std::shared_ptr<Responder> responder) {
      responder->OnDisconnect([this] { disconnected_.set_value(); });
      slot_.Put(responder);
    });
  }

  bool WaitDisconnected() { return future_.wait_for(5s) == std::future_status::ready; }

  ResponderSlot slot_;
  std::promise<void> disconnected_;
  std::future<void> future_ = disconnected_.get_future();
};

TEST_F(HttpServerStreamTest, ServerSentEventsArriveAsChunksInOrder) {
  StartServer();
  TestHttpClient client = Connect();
  ASSERT_TRUE(client.Send(GetRequest("/events")).ok());
  std::shared_ptr<Responder> responder = slot_.Take();
  ASSERT_NE(responder, nullptr);
  auto head = client.ReadHead();
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers.Get("Content-Type"), "text/event-stream");
  EXPECT_EQ(head->headers.Get("Cache-Control"), "no-cache");
  EXPECT_EQ(head->headers.Get("Transfer-Encoding"), "chunked");
  EXPECT_EQ(head->headers.Get("X-Request-Id"), responder->request_id());
  std::thread writer([responder] {
    for (int i = 0; i < 5; ++i) {
      EXPECT_TRUE(responder->Write("data: " + std::to_string(i) + "\n\n"));
    }
    responder->End();
  });
  for (int i = 0; i < 5; ++i) {
    auto chunk = client.ReadChunk();
    ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
    EXPECT_EQ(*chunk, "data: " + std::to_string(i) + "\n\n");
  }
  auto last = client.ReadChunk();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, "");
  writer.join();
  // The connection is reusable after the stream.
  ASSERT_TRUE(client.Send(GetRequest("/hello")).ok());
  auto next = client.ReadResponse();
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->body, "hello");
  EXPECT_FALSE(responder->Write("late"));
}

TEST_F(HttpServerStreamTest, ClientClosingMidStreamFiresOnDisconnect) {
  StartServer();
  TestHttpClient client = Connect();
  ASSERT_TRUE(client.Send(GetRequest("/events")).ok());
  std::shared_ptr<Responder> responder = slot_.Take();
  ASSERT_NE(responder, nullptr);
  ASSERT_TRUE(client.ReadHead().ok());
  EXPECT_TRUE(responder->Write("data: first\n\n"));
  ASSERT_TRUE(client.ReadChunk().ok());
  client.Close();
  ASSERT_TRUE(WaitDisconnected());
  EXPECT_TRUE(responder->Disconnected());
  EXPECT_FALSE(responder->Write("data: after\n\n"));
  // A callback registered after the fact runs at once.
  bool late_callback = false;
  responder->OnDisconnect([&] { late_callback = true; });
  EXPECT_TRUE(late_callback);
  responder->End();
}

TEST_F(HttpServerStreamTest, ClientClosingWhileHandlerWorksFiresOnDisconnect) {
  StartServer();
  TestHttpClient client = Connect();
  ASSERT_TRUE(client.Send(GetRequest("/pending")).ok());
  std::shared_ptr<Responder> responder = slot_.Take();
  ASSERT_NE(responder, nullptr);
  client.Close();
  ASSERT_TRUE(WaitDisconnected());
  EXPECT_TRUE(responder->Disconnected());
  responder->Send(HttpResponse::Text(200, "too late"));  // ignored, no crash
}

TEST_F(HttpServerStreamTest, SlowClientIsDisconnectedInsteadOfBuffering) {
  ServerOptions options;
  options.max_queued_write_bytes = 256 * 1024;
  StartServer(options);
  TestHttpClient client = Connect();
  client.SetReceiveBuffer(4096);
  ASSERT_TRUE(client.Send(GetRequest("/events")).ok());
  std::shared_ptr<Responder> responder = slot_.Take();
  ASSERT_NE(responder, nullptr);
  std::string chunk(64 * 1024, 'x');
  size_t written = 0;
  bool refused = false;
  // The client never reads: the socket buffers fill, then the queue limit is hit.
  while (written < (size_t{1} << 30)) {
    if (!responder->Write(chunk)) {
      refused = true;
      break;
    }
    written += chunk.size();
  }
  EXPECT_TRUE(refused) << "wrote " << written << " bytes without backpressure";
  EXPECT_TRUE(WaitDisconnected());
  EXPECT_TRUE(responder->Disconnected());
}

TEST_F(HttpServerStreamTest, StopLetsAStreamInFlightFinish) {
  StartServer();
  TestHttpClient client = Connect();
  ASSERT_TRUE(client.Send(GetRequest("/events")).ok());
  std::shared_ptr<Responder> responder = slot_.Take();
  ASSERT_NE(responder, nullptr);
  ASSERT_TRUE(client.ReadHead().ok());
  std::atomic<bool> writes_ok{true};
  std::thread writer([&] {
    for (int i = 0; i < 10; ++i) {
      std::this_thread::sleep_for(20ms);
      if (!responder->Write("data: " + std::to_string(i) + "\n\n")) writes_ok = false;
    }
    responder->End();
  });
  std::thread stopper([this] { server_->Stop(10s); });
  for (int i = 0; i < 10; ++i) {
    auto chunk = client.ReadChunk();
    ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
    EXPECT_EQ(*chunk, "data: " + std::to_string(i) + "\n\n");
  }
  auto last = client.ReadChunk();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, "");
  EXPECT_TRUE(client.WaitForClose(5s));
  writer.join();
  stopper.join();
  EXPECT_TRUE(writes_ok);
  EXPECT_EQ(future_.wait_for(0s), std::future_status::timeout);  // no disconnect
}

TEST_F(HttpServerStreamTest, StopClosesAnEndlessStreamAfterTheGrace) {
  StartServer();
  TestHttpClient client = Connect();
  ASSERT_TRUE(client.Send(GetRequest("/events")).ok());
  std::shared_ptr<Responder> responder = slot_.Take();
  ASSERT_NE(responder, nullptr);
  ASSERT_TRUE(client.ReadHead().ok());
  server_->Stop(200ms);
  EXPECT_TRUE(WaitDisconnected());
  EXPECT_FALSE(responder->Write("data: x\n\n"));
  EXPECT_TRUE(client.WaitForClose(5s));
  // Responders outlive the server safely.
  server_.reset();
  EXPECT_FALSE(responder->Write("data: y\n\n"));
  responder->End();
}

TEST_F(HttpServerStreamTest, Http10StreamIsDelimitedByClose) {
  StartServer();
  TestHttpClient client = Connect();
  ASSERT_TRUE(client.Send("GET /events HTTP/1.0\r\n\r\n").ok());
  std::shared_ptr<Responder> responder = slot_.Take();
  ASSERT_NE(responder, nullptr);
  EXPECT_TRUE(responder->Write("one "));
  EXPECT_TRUE(responder->Write("two"));
  responder->End();
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_FALSE(response->chunked);
  EXPECT_EQ(response->body, "one two");
}

TEST_F(HttpServerStreamTest, DroppingAnOpenStreamTruncatesIt) {
  StartServer();
  TestHttpClient client = Connect();
  ASSERT_TRUE(client.Send(GetRequest("/events")).ok());
  {
    std::shared_ptr<Responder> responder = slot_.Take();
    ASSERT_NE(responder, nullptr);
    EXPECT_TRUE(responder->Write("data: only\n\n"));
  }
  ASSERT_TRUE(client.ReadHead().ok());
  auto chunk = client.ReadChunk();
  ASSERT_TRUE(chunk.ok());
  EXPECT_EQ(*chunk, "data: only\n\n");
  EXPECT_TRUE(client.WaitForClose(5s));  // closed without the last chunk
}

}  // namespace
}  // namespace savoir::server
