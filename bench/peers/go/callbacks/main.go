// SPDX-License-Identifier: MIT
// The Go side of bench/callback_bench.cpp: a Go→C→Go round trip, and a
// thread created by C calling an exported Go function (timed in C), each
// printed as "name ns_per_op" (median of three). An argument sets the C
// thread's calls (100,000 by default): under Wine each takes about 250 µs.
package main

/*
void callGoOnce(void);
double threadCallsGoNs(long n);
*/
import "C"

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
)

//export goEmpty
func goEmpty() {}

func roundTrip(b *testing.B) {
	for i := 0; i < b.N; i++ {
		C.callGoOnce()
	}
}

func median(f func() float64) float64 {
	v := []float64{f(), f(), f()}
	sort.Float64s(v)
	return v[1]
}

func main() {
	rt := median(func() float64 {
		r := testing.Benchmark(roundTrip)
		return float64(r.T.Nanoseconds()) / float64(r.N)
	})
	fmt.Printf("GoCGoRoundTrip %.2f\n", rt)
	calls := 100000
	if len(os.Args) > 1 {
		calls, _ = strconv.Atoi(os.Args[1])
	}
	th := median(func() float64 { return float64(C.threadCallsGoNs(C.long(calls))) })
	fmt.Printf("CThreadCallsGo %.2f\n", th)
}
