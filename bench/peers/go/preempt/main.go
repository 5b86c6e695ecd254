// SPDX-License-Identifier: MIT
// The Go side of bench/preempt_bench.cpp's ticker (run with GOMAXPROCS=1):
// a goroutine spins a counter loop that makes no call, so only sysmon's
// asynchronous preemption (Go 1.14+) stops it, while the main goroutine
// sleeps 1 ms in a loop for 2 s; the sleeper's lateness (actual wake -
// intended) p50, p99 and max in microseconds, and how many ticks it got.
package main

import (
	"fmt"
	"sort"
	"sync/atomic"
	"time"
)

var (
	stop    int32
	counter uint64 // a plain global: one load and one store per iteration
)

func spin(done chan<- struct{}) {
	for atomic.LoadInt32(&stop) == 0 {
		counter++
	}
	close(done)
}

func percentile(sorted []float64, p int) float64 {
	i := len(sorted) * p / 100
	if i > len(sorted)-1 {
		i = len(sorted) - 1
	}
	return sorted[i]
}

func main() {
	done := make(chan struct{})
	go spin(done)
	const tick = time.Millisecond
	var late []float64
	end := time.Now().Add(2 * time.Second)
	for time.Now().Before(end) {
		due := time.Now().Add(tick)
		time.Sleep(tick)
		late = append(late, float64(time.Since(due))/1e3)
	}
	atomic.StoreInt32(&stop, 1)
	<-done
	sort.Float64s(late)
	fmt.Printf("TickerLateP50Us %.1f\nTickerLateP99Us %.1f\nTickerLateMaxUs %.1f\nTickerTicks %d\n",
		percentile(late, 50), percentile(late, 99), late[len(late)-1], len(late))
}
