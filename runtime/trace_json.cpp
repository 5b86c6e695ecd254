// SPDX-License-Identifier: MIT
// The execution trace as Chrome trace event JSON ({"traceEvents": [...]}),
// which Perfetto (ui.perfetto.dev) and chrome://tracing open.
//
// Layout. Process 1, "Ms": a track per M (tid = the M's id), with a slice
// per task run ("G7"), and in it the foreign calls and callbacks; an
// extra M's name gives the C threads it served. Process 2, "Tasks": a
// track per task (tid = its id): "create" and "end" instants, "running",
// "parked" (with the wait reason and its detail: the fd, the sleep;
// ended by the unpark, whose args say who readied it), "foreign call" and "callback" slices. Process 3, "Threads":
// threads that recorded without an M (sysmon's retakes and preemption
// requests, C threads readying tasks), a track per OS thread.
//
// Slices are B/E pairs, which Perfetto requires to nest on a track; the
// events are merged from every writer in time order and replayed per
// track against a stack of open slices, so that a pair that would not
// nest is reported ("unbalanced" instants, counted in otherData) instead
// of silently drawn wrong. Slices open when the trace stopped are closed
// at its end with "unfinished": true; those that began before it (a trace
// started by trace_start while tasks ran) open at its start with
// "before_trace": true. Within a writer, record order is time order;
// across writers the times decide (CLOCK_MONOTONIC is one clock for all
// CPUs), and a task's events are recorded by whoever owns the task, in
// order, each after the one that enabled it.
#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "runtime/trace_buf.hpp"

namespace cbridge::rt {

namespace {

constexpr int kPidMs = 1;
constexpr int kPidTasks = 2;
constexpr int kPidThreads = 3;

// One output event, sorted by (ts, seq) before writing: seq keeps the
// order in which the replay made them; slices made up for events before
// the trace get negative seqs, the outermost first, and made-up creates
// the lowest, so that a task's track still starts with its create.
struct Out {
  int64_t ts;
  int64_t seq;
  int pid;
  int64_t tid;
  char ph;
  std::string name;
  std::string args;  // the inside of a JSON object, or ""
};

struct Frame {
  std::string name;
  uint64_t id;  // the task of a run slice, else 0
};

using TrackKey = std::pair<int, int64_t>;

class Replay {
 public:
  Replay(int64_t start, int64_t end) : start_(start), end_(end) {}

  void event(const TraceBuf& b, const TraceRecord& r);
  void finish();
  int write(FILE* f, uint64_t dropped, size_t nevents);

 private:
  void emit(int64_t ts, TrackKey t, char ph, std::string name, std::string args) {
    out_.push_back(Out{ts, seq_++, t.first, t.second, ph, std::move(name), std::move(args)});
  }
  void begin(int64_t ts, TrackKey t, const std::string& name, uint64_t id, std::string args) {
    stacks_[t].push_back(Frame{name, id});
    emit(ts, t, 'B', name, std::move(args));
  }
  // end closes the top slice of t if it is name (and, for a run, id's);
  // with no slice open there, the slice began before the trace.
  void end(int64_t ts, TrackKey t, const std::string& name, uint64_t id, std::string args = "") {
    auto& st = stacks_[t];
    if (st.empty()) {
      out_.push_back(Out{start_, before_--, t.first, t.second, 'B', name, "\"before_trace\":true"});
      emit(ts, t, 'E', name, std::move(args));
      return;
    }
    if (st.back().name != name || st.back().id != id) {
      unbalanced_++;
      emit(ts, t, 'i', "unbalanced",
           "\"expected\":\"" + st.back().name + "\",\"got\":\"" + name + "\"");
      return;
    }
    st.pop_back();
    emit(ts, t, 'E', name, std::move(args));
  }
  bool top(TrackKey t, const std::string& name) {
    auto& st = stacks_[t];
    return !st.empty() && st.back().name == name;
  }
  void instant(int64_t ts, TrackKey t, std::string name, std::string args) {
    emit(ts, t, 'i', std::move(name), std::move(args));
  }
  // task makes sure g's track starts with a create.
  TrackKey task(uint64_t g, bool creating) {
    TrackKey t{kPidTasks, int64_t(g)};
    if (tasks_.insert(g).second && !creating)
      out_.push_back(Out{start_, INT64_MIN + int64_t(tasks_.size()), t.first, t.second, 'i', "create",
                         "\"before_trace\":true"});
    return t;
  }

  int64_t start_, end_;
  int64_t seq_ = 0;
  int64_t before_ = -1;
  uint64_t unbalanced_ = 0;
  std::vector<Out> out_;
  std::map<TrackKey, std::vector<Frame>> stacks_;
  std::set<uint64_t> tasks_;
  // Track names: Ms by id (extra or not, the C threads an extra M served),
  // threads by tid.
  struct MInfo {
    bool extra = false;
    std::set<uint64_t> cthreads;
    std::set<int> threads;
  };
  std::map<int64_t, MInfo> ms_;
  std::map<int, const char*> threads_;
};

// jsonString quotes s for JSON (names are ours: no control characters).
std::string jsonString(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

std::string u(uint64_t v) { return std::to_string(v); }

std::string hex(uint64_t v) {
  char s[24];
  snprintf(s, sizeof s, "\"%#" PRIx64 "\"", v);
  return s;
}

void Replay::event(const TraceBuf& b, const TraceRecord& r) {
  const TraceWriter& w = *b.w;
  TrackKey mt = w.mid >= 0 ? TrackKey{kPidMs, w.mid} : TrackKey{kPidThreads, b.tid};
  if (w.mid >= 0) {
    MInfo& mi = ms_[w.mid];
    mi.extra = w.extra;
    mi.threads.insert(b.tid);
  } else {
    threads_.emplace(b.tid, b.name);
  }
  std::string gname = "G" + u(r.g);
  std::string gargs = "\"g\":" + u(r.g);
  std::string margs = w.mid >= 0 ? "\"m\":" + std::to_string(w.mid) : "\"thread\":" + std::to_string(b.tid);
  int64_t ts = r.ts;
  switch (r.kind) {
    case TraceEv::GoCreate:
      instant(ts, task(r.g, true), "create", "\"parent\":" + u(r.a) + "," + margs);
      instant(ts, mt, "go", gargs);
      break;
    case TraceEv::GoStart:
      begin(ts, mt, gname, r.g, gargs);
      begin(ts, task(r.g, false), "running", 0, margs);
      break;
    case TraceEv::GoStop:
      end(ts, mt, gname, r.g);
      end(ts, task(r.g, false), "running", 0);
      break;
    case TraceEv::GoPark: {
      auto reason = WaitReason(r.b);
      std::string args = "\"reason\":" + jsonString(waitReasonString(reason));
      auto detail = int64_t(r.a);
      if (reason == WaitReason::IoWait)
        args += ",\"fd\":" + std::to_string(detail >> 1) + ",\"mode\":\"" + (detail & 1 ? "w" : "r") + "\"";
      else if (reason == WaitReason::Sleep)
        args += ",\"sleep_ns\":" + std::to_string(detail - ts);
      begin(ts, task(r.g, false), "parked", 0, args);
      break;
    }
    case TraceEv::GoUnpark: {
      TrackKey t = task(r.g, false);
      std::string by = "\"by\":" + u(r.a) + "," + margs;
      if (top(t, "parked"))
        end(ts, t, "parked", 0, by);
      else  // parked before the trace began
        instant(ts, t, "unpark", by);
      break;
    }
    case TraceEv::GoEnd:
      instant(ts, task(r.g, false), "end", margs);
      break;
    case TraceEv::ForeignEnter:
      begin(ts, mt, "foreign call", 0, gargs + ",\"fn\":" + hex(r.a));
      begin(ts, task(r.g, false), "foreign call", 0, "\"fn\":" + hex(r.a) + "," + margs);
      break;
    case TraceEv::ForeignExit:
      end(ts, mt, "foreign call", 0);
      end(ts, task(r.g, false), "foreign call", 0);
      break;
    case TraceEv::CallbackEnter: {
      // The callback's task runs from here (its M is locked to it).
      std::string args = "\"c_thread\":" + u(r.a) + ",\"nested\":" + (r.flag ? "true" : "false");
      if (w.mid >= 0 && w.extra) ms_[w.mid].cthreads.insert(r.a);
      TrackKey t = task(r.g, false);
      begin(ts, mt, "callback", 0, gargs + "," + args);
      begin(ts, mt, gname, r.g, gargs);
      begin(ts, t, "callback", 0, args + "," + margs);
      begin(ts, t, "running", 0, margs);
      break;
    }
    case TraceEv::CallbackExit: {
      TrackKey t = task(r.g, false);
      end(ts, mt, gname, r.g);
      end(ts, mt, "callback", 0);
      end(ts, t, "running", 0);
      end(ts, t, "callback", 0);
      break;
    }
    case TraceEv::ProcRetake:
      instant(ts, mt, "retake P" + u(r.a), "\"p\":" + u(r.a));
      break;
    case TraceEv::PreemptRequest:
      instant(ts, mt, "preempt request P" + u(r.a),
              "\"p\":" + u(r.a) + (r.b != UINT32_MAX ? ",\"m\":" + u(r.b) : ""));
      break;
    case TraceEv::Preempted: {
      std::string args = std::string("\"how\":\"") + (r.flag ? "async" : "cooperative") + "\"";
      instant(ts, mt, "preempted", gargs + "," + args);
      instant(ts, task(r.g, false), "preempted", args);
      break;
    }
    case TraceEv::NetpollWait: {
      instant(ts, task(r.g, false), "netpoll wait",
              "\"fd\":" + u(r.a) + ",\"mode\":\"" + char(r.flag) + "\"");
      break;
    }
    case TraceEv::NetpollReady:
      instant(ts, mt, "netpoll ready", gargs + ",\"fd\":" + u(r.a));
      instant(ts, task(r.g, false), "netpoll ready", "\"fd\":" + u(r.a) + "," + margs);
      break;
    case TraceEv::StackBounds:
      instant(ts, mt, "stack bounds",
              "\"lo\":" + hex(r.a) + ",\"hi\":" + hex(r.a + r.b) + ",\"exact\":" + (r.flag ? "true" : "false"));
      break;
  }
}

void Replay::finish() {
  for (auto& [t, st] : stacks_)
    while (!st.empty()) {
      emit(end_, t, 'E', st.back().name, "\"unfinished\":true");
      st.pop_back();
    }
}

int Replay::write(FILE* f, uint64_t dropped, size_t nevents) {
  std::sort(out_.begin(), out_.end(),
            [](const Out& a, const Out& b) { return a.ts != b.ts ? a.ts < b.ts : a.seq < b.seq; });
  fprintf(f, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"cbridge\",\"events\":%zu,"
             "\"dropped_events\":%" PRIu64 ",\"unbalanced\":%" PRIu64 "},\n\"traceEvents\":[\n",
          nevents, dropped, unbalanced_);
  const char* sep = "";
  auto meta = [&](int pid, int64_t tid, const char* what, const std::string& name) {
    fprintf(f, "%s{\"ph\":\"M\",\"pid\":%d,\"tid\":%" PRId64 ",\"name\":\"%s\",\"args\":{\"name\":%s}}",
            sep, pid, tid, what, jsonString(name).c_str());
    sep = ",\n";
  };
  meta(kPidMs, 0, "process_name", "Ms");
  meta(kPidTasks, 0, "process_name", "Tasks");
  meta(kPidThreads, 0, "process_name", "Threads without an M");
  for (auto& [id, mi] : ms_) {
    std::string name = "M" + std::to_string(id);
    if (mi.extra) {
      name += " (extra";
      const char* before = mi.cthreads.size() > 1 ? ", C threads " : ", C thread ";
      for (uint64_t t : mi.cthreads) {
        name += before + std::to_string(t);
        before = ", ";
      }
      name += ")";
    } else if (!mi.threads.empty()) {
      name += " (thread " + std::to_string(*mi.threads.begin()) + ")";
    }
    meta(kPidMs, id, "thread_name", name);
  }
  for (auto& [tid, name] : threads_)
    meta(kPidThreads, tid, "thread_name",
         (name != nullptr ? std::string(name) + " (thread " : std::string("thread ")) + std::to_string(tid) +
             (name != nullptr ? ")" : ""));
  for (uint64_t g : tasks_) meta(kPidTasks, int64_t(g), "thread_name", "G" + u(g));
  for (const Out& e : out_) {
    int64_t rel = e.ts - start_;
    fprintf(f, ",\n{\"ph\":\"%c\",\"pid\":%d,\"tid\":%" PRId64 ",\"ts\":%" PRId64 ".%03d,\"name\":%s",
            e.ph, e.pid, e.tid, rel / 1000, int(rel % 1000), jsonString(e.name).c_str());
    if (e.ph == 'i') fputs(",\"s\":\"t\"", f);
    if (!e.args.empty()) fprintf(f, ",\"args\":{%s}", e.args.c_str());
    fputc('}', f);
  }
  fputs("\n]}\n", f);
  return ferror(f) ? (errno != 0 ? errno : EIO) : 0;
}

}  // namespace

int traceWriteJSON(FILE* f, std::vector<TraceBuf*>& bufs, int64_t start, int64_t end,
                   uint64_t dropped) {
  // Each writer's buffers in the order it filled them, then every event
  // in time order; the stable sort keeps a writer's ties in record order.
  std::sort(bufs.begin(), bufs.end(), [](const TraceBuf* a, const TraceBuf* b) {
    return a->w != b->w ? std::less<const TraceWriter*>()(a->w, b->w) : a->seq < b->seq;
  });
  std::vector<std::pair<const TraceBuf*, const TraceRecord*>> evs;
  for (const TraceBuf* b : bufs)
    for (uint32_t i = 0; i < b->n; i++) evs.emplace_back(b, &b->ev()[i]);
  std::stable_sort(evs.begin(), evs.end(),
                   [](const auto& x, const auto& y) { return x.second->ts < y.second->ts; });
  // A record begun just before the stop may be stamped after it.
  if (!evs.empty()) end = std::max(end, evs.back().second->ts);
  Replay r(start, end);
  for (auto& [b, e] : evs) r.event(*b, *e);
  r.finish();
  return r.write(f, dropped, evs.size());
}

}  // namespace cbridge::rt
