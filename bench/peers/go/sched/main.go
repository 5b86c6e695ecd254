// SPDX-License-Identifier: MIT
// The Go side of bench/sched_bench.cpp: the same measurements, run with
// testing.Benchmark, printed one per line as "name ns_per_op [extra]".
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"testing"
)

func taskStartFinish(b *testing.B) {
	var wg sync.WaitGroup
	for i := 0; i < b.N; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
		wg.Wait()
	}
}

func chanHandoff(b *testing.B) {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	n := 0
	for i := 0; i < b.N; i++ {
		if n&1 == 0 {
			ping <- 1
		} else {
			<-pong
		}
		n++
	}
	if n&1 == 1 {
		<-pong
	}
	close(ping)
}

func yield(b *testing.B) {
	for i := 0; i < b.N; i++ {
		runtime.Gosched()
	}
}

func spawnJoin100k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		wg.Add(100000)
		for k := 0; k < 100000; k++ {
			go func() { wg.Done() }()
		}
		wg.Wait()
	}
}

func rssKiB() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	var v int64
	for _, line := range splitLines(string(data)) {
		if n, _ := fmt.Sscanf(line, "VmRSS: %d kB", &v); n == 1 {
			return v
		}
	}
	return 0
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := range s {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

func parkedRSS() float64 {
	before := rssKiB()
	gate := make(chan int)
	var parked, done sync.WaitGroup
	parked.Add(100000)
	done.Add(100000)
	for i := 0; i < 100000; i++ {
		go func() {
			parked.Done()
			<-gate
			done.Done()
		}()
	}
	parked.Wait()
	during := rssKiB()
	close(gate)
	done.Wait()
	return float64(during-before) / 1024
}

func main() {
	// "rss" alone: the memory measurement, in a process that ran nothing
	// else, as bench/compare.py runs cbridge's.
	if len(os.Args) > 1 && os.Args[1] == "rss" {
		fmt.Printf("ParkedTasksRSS_MiB %.1f\n", parkedRSS())
		return
	}
	for _, bm := range []struct {
		name string
		fn   func(*testing.B)
	}{
		{"TaskStartFinish", taskStartFinish},
		{"ChanHandoff", chanHandoff},
		{"Yield", yield},
		{"SpawnJoin100k", spawnJoin100k},
	} {
		// The median of three runs, as compare.py takes of cbridge's.
		var ns []float64
		for i := 0; i < 3; i++ {
			r := testing.Benchmark(bm.fn)
			ns = append(ns, float64(r.T.Nanoseconds())/float64(r.N))
		}
		sort.Float64s(ns)
		fmt.Printf("%s %.2f\n", bm.name, ns[1])
	}
}
