// SPDX-License-Identifier: MIT
// The Go side of bench/globq_bench.cpp: two channel ping-pong pairs keep
// GOMAXPROCS=2 busy while a goroutine makes 20 ms cgo calls (usleep); the
// median and the largest extra time a call took beyond its 20 ms, in ms.
package main

/*
#include <unistd.h>
static int globq_sleep_us(unsigned us) { return usleep(us); }
*/
import "C"

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	const calls = 30
	const callUs = 20000
	var stop int32
	var pairs sync.WaitGroup
	for k := 0; k < 2; k++ {
		a, b := make(chan int), make(chan int)
		pairs.Add(2)
		go func() {
			for atomic.LoadInt32(&stop) == 0 {
				a <- 1
				<-b
			}
			close(a)
			pairs.Done()
		}()
		go func() {
			for range a {
				b <- 1
			}
			pairs.Done()
		}()
	}
	time.Sleep(50 * time.Millisecond)
	extra := make([]float64, 0, calls)
	for i := 0; i < calls; i++ {
		t0 := time.Now()
		C.globq_sleep_us(callUs)
		extra = append(extra, float64(time.Since(t0))/1e6-callUs/1000.0)
	}
	atomic.StoreInt32(&stop, 1)
	pairs.Wait()
	sort.Float64s(extra)
	fmt.Printf("SyscallReturnExtraP50Ms %.3f\nSyscallReturnExtraMaxMs %.3f\n", extra[len(extra)/2], extra[len(extra)-1])
}
