// SPDX-License-Identifier: MIT
// The Go side of bench/timer_bench.cpp: 100,000 time.AfterFunc timers
// with random delays in [0, 100 ms), all armed at once; the median and the
// largest lateness of their functions, in milliseconds.
package main

import (
	"fmt"
	"math/rand"
	"sort"
	"sync"
	"time"
)

func main() {
	const n = 100000
	late := make([]float64, n)
	ts := make([]*time.Timer, n)
	var wg sync.WaitGroup
	wg.Add(n)
	rng := rand.New(rand.NewSource(3))
	for i := 0; i < n; i++ {
		i := i
		d := time.Duration(rng.Intn(100000)) * time.Microsecond
		due := time.Now().Add(d)
		ts[i] = time.AfterFunc(d, func() {
			late[i] = float64(time.Since(due)) / 1e6
			wg.Done()
		})
	}
	wg.Wait()
	sort.Float64s(late)
	fmt.Printf("StormLateP50Ms %.3f\nStormLateMaxMs %.3f\n", late[n/2], late[n-1])
	_ = ts
}
