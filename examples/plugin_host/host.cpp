// SPDX-License-Identifier: MIT
// A plugin host: it dlopens a plugin, binds its entry points by
// signature, and lets the plugin register its functions by signature
// string through a callback; then many tasks call them concurrently.
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.hpp>
#include <cbridge/library.hpp>

#include <cstdio>
#include <map>
#include <string>

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "./libexample_plugin.so";
  try {
    cbridge::Library plugin(path);
    std::map<std::string, cbridge::ForeignFunction> fns;
    // The plugin calls this to register each of its functions.
    cbridge::Callback<int(const char*, const char*, void*)> reg(
        [&](const char* name, const char* signature, void* fn) {
          try {
            fns.emplace(name, cbridge::ForeignFunction(fn, signature));
            std::printf("plugin registered %s as \"%s\"\n", name, signature);
            return 0;
          } catch (const std::exception& e) {
            std::fprintf(stderr, "host: %s\n", e.what());
            return -1;
          }
        });
    int rc = 0;
    void* regFn = reinterpret_cast<void*>(reg.fn());
    void* args[] = {&regFn};
    plugin.function("plugin_init", "int(void*)").call(&rc, args);
    if (rc != 0) return 1;

    cbridge::run([&] {
      cbridge::WaitGroup wg;
      long squares = 0;
      double norms = 0;
      cbridge::Mutex mu;
      for (int i = 0; i < 100; i++) {
        wg.add(1);
        cbridge::go([&, i] {
          long x = i, sq = 0;
          void* a1[] = {&x};
          fns.at("square").call(&sq, a1);
          struct {
            double x, y;
          } p{double(i), -1.0};
          double n = 0;
          void* a2[] = {&p};
          fns.at("norm1").call(&n, a2);
          {
            std::lock_guard<cbridge::Mutex> g(mu);
            squares += sq;
            norms += n;
          }
          // After the unlock: once the count is 0 the waiter destroys mu.
          wg.done();
        });
      }
      wg.wait();
      char buf[64];
      char* pb = buf;
      size_t n = sizeof buf;
      int len = 0;
      void* a3[] = {&pb, &n};
      fns.at("greet").call(&len, a3);
      std::printf("100 tasks called the plugin: sum of squares %ld, sum of norms %.0f\n", squares,
                  norms);
      std::printf("greet: \"%s\" (%d chars)\n", buf, len);
    });
    plugin.function("plugin_fini", "void(void)").call(nullptr, nullptr);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "host: %s\n", e.what());
    return 1;
  }
  return 0;
}
