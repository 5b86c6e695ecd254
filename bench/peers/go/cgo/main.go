// SPDX-License-Identifier: MIT
// The Go side of bench/call_bench.cpp: a cgo call of an empty C function,
// printed as "name ns_per_op" (median of three testing.Benchmark runs).
package main

/*
void cbridge_bench_empty(void) {}
*/
import "C"

import (
	"fmt"
	"sort"
	"testing"
)

func cgoCall(b *testing.B) {
	for i := 0; i < b.N; i++ {
		C.cbridge_bench_empty()
	}
}

func main() {
	var ns []float64
	for i := 0; i < 3; i++ {
		r := testing.Benchmark(cgoCall)
		ns = append(ns, float64(r.T.Nanoseconds())/float64(r.N))
	}
	sort.Float64s(ns)
	fmt.Printf("CgoCall %.2f\n", ns[1])
}
