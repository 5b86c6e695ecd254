// SPDX-License-Identifier: MIT
// libcurl against an HTTP server task, in one process.
//
// The server is a task on 127.0.0.1 (an ephemeral port) written with
// cbridge::net: it accepts connections and serves each from a task of its
// own, all parked on the netpoller between reads and writes. The clients
// are tasks too: each calls curl_easy_perform through cbridge::call, a
// foreign call that lets go of the task's P while curl waits in poll(),
// so the server's tasks keep running on the other P. curl's
// CURLOPT_WRITEFUNCTION is a cbridge Callback: called from inside
// curl_easy_perform, it runs nested (managed -> C -> managed) on the
// client's own task; it appends the data and reports each chunk on a
// channel to a byte-counting task. Each client checks the body it got.
// Bounded: a fixed number of requests, curl's timeout and a deadline on
// the listener.
#include <cbridge/cbridge.hpp>
#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

namespace {

constexpr int kClients = 4;
constexpr int kRequestsPerClient = 2;
constexpr int kRequests = kClients * kRequestsPerClient;
constexpr size_t kBodySize = 256 * 1024;  // several writes, several write callbacks

// The body served for /<id>: a pattern the client can check.
std::string bodyFor(int id) {
  std::string b(kBodySize, '\0');
  for (size_t i = 0; i < kBodySize; i++) b[i] = static_cast<char>('a' + (i * 7 + id) % 26);
  return b;
}

// serve answers one HTTP/1.1 GET for /<id> with bodyFor(id), then closes.
void serve(cbridge::net::Conn conn) {
  conn.set_deadline(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  std::string req;
  char buf[1024];
  while (req.find("\r\n\r\n") == std::string::npos) {
    auto r = conn.read(buf, sizeof buf);
    if (r.n == 0) {
      conn.close();
      return;  // the client went away (or the deadline passed)
    }
    req.append(buf, r.n);
  }
  int id = -1;
  std::sscanf(req.c_str(), "GET /%d HTTP/1.1", &id);
  std::string body = id >= 0 ? bodyFor(id) : "bad request\n";
  std::string head = std::string("HTTP/1.1 ") + (id >= 0 ? "200 OK" : "400 Bad Request") +
                     "\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  conn.write(head.data(), head.size());
  conn.write(body.data(), body.size());
  conn.close();
}

}  // namespace

int main() {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // before any thread: it is not thread-safe
  cbridge::start(cbridge::Config{.maxprocs = 2});

  cbridge::Chan<size_t> chunks(64);
  cbridge::Callback<size_t(char*, size_t, size_t, void*)> onData(
      [&](char* data, size_t size, size_t n, void* user) -> size_t {
        static_cast<std::string*>(user)->append(data, size * n);
        chunks.send(size * n);  // managed code: may park until the counter takes it
        return size * n;
      });

  int ok = 0, calls = 0;
  size_t counted = 0;
  cbridge::run([&] {
    auto listened = cbridge::net::listen_tcp("127.0.0.1", 0);
    if (listened.second) {
      std::fprintf(stderr, "listen: %s\n", listened.second.message().c_str());
      return;
    }
    cbridge::net::Listener ln = listened.first;
    ln.set_deadline(std::chrono::steady_clock::now() + std::chrono::seconds(10));
    const uint16_t port = ln.port();
    cbridge::WaitGroup servers;
    servers.add(1);
    cbridge::go([&, ln]() mutable {
      for (int i = 0; i < kRequests; i++) {
        auto accepted = ln.accept();
        if (accepted.second) break;  // the deadline: a client gave up
        cbridge::net::Conn conn = accepted.first;
        servers.add(1);
        cbridge::go([&, conn] {
          serve(conn);
          servers.done();
        });
      }
      ln.close();
      servers.done();
    });
    cbridge::WaitGroup counter;
    counter.add(1);
    cbridge::go([&] {
      while (auto n = chunks.recv()) counted += *n;
      counter.done();
    });

    cbridge::WaitGroup clients;
    cbridge::Mutex mu;
    for (int c = 0; c < kClients; c++) {
      clients.add(1);
      cbridge::go([&, c] {
        for (int k = 0; k < kRequestsPerClient; k++) {
          int id = c * kRequestsPerClient + k;
          std::string url = "http://127.0.0.1:" + std::to_string(port) + "/" + std::to_string(id);
          std::string got;
          CURL* h = curl_easy_init();
          curl_easy_setopt(h, CURLOPT_URL, url.c_str());
          curl_easy_setopt(h, CURLOPT_NOPROXY, "*");  // never through an http_proxy from the env
          curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
          curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
          curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onData.fn());
          curl_easy_setopt(h, CURLOPT_WRITEDATA, &got);
          CURLcode rc = cbridge::call(curl_easy_perform, h);  // the P is free while curl waits
          long status = 0;
          curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
          curl_easy_cleanup(h);
          bool good = rc == CURLE_OK && status == 200 && got == bodyFor(id);
          if (!good)
            std::fprintf(stderr, "GET /%d: %s, status %ld, %zu bytes\n", id,
                         curl_easy_strerror(rc), status, got.size());
          std::lock_guard<cbridge::Mutex> g(mu);
          ok += good;
          calls++;
        }
        clients.done();
      });
    }
    clients.wait();
    servers.wait();
    chunks.close();
    counter.wait();
  });

  cbridge::Stats s = cbridge::stats();
  std::printf("%d clients fetched %d bodies of %zu KiB from the server task: %d correct\n",
              kClients, calls, kBodySize / 1024, ok);
  std::printf("curl's write callbacks: %llu callbacks, %zu bytes counted by a task\n",
              static_cast<unsigned long long>(s.callbacks), counted);
  bool pass = ok == kRequests && counted == size_t{kRequests} * kBodySize &&
              s.callbacks >= static_cast<uint64_t>(kRequests);
  std::printf("%s\n", pass ? "OK" : "FAIL");
  curl_global_cleanup();
  return pass ? 0 : 1;
}
