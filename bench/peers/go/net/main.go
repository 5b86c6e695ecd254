// SPDX-License-Identifier: MIT
// The Go side of bench/net_bench.cpp: the same loopback TCP echo and pipe
// ping-pong with Go's net and os packages, the same arguments and the same
// output ("name value" lines; see net_bench.cpp for their meaning):
//
//	net echo CONNS SIZE MS | net pipe | net (echo 50 64 3000, then pipe)
//
// As there, the echo's clients all connect before they start together,
// only round trips between the start and the stop flag count, and the
// soft RLIMIT_NOFILE is raised to the hard one (nofile_unix.go; Go 1.19
// does that itself for programs importing os; done here too so that both
// sides say so).
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

type echoResult struct {
	tripsPerSec float64
	trips       int64
	p50us       float64 // one connection only
	p99us       float64
}

func echo(conns, size int, dur time.Duration) echoResult {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	var server sync.WaitGroup
	server.Add(1)
	go func() {
		defer server.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			server.Add(1)
			go func(c net.Conn) {
				defer server.Done()
				buf := make([]byte, size)
				for {
					n, err := c.Read(buf)
					if err != nil || n == 0 {
						break
					}
					if _, err := c.Write(buf[:n]); err != nil {
						break
					}
				}
				c.Close()
			}(c)
		}
	}()
	// ready: clients connected; start: closed once all are; stop: read by
	// each client once per round trip.
	var ready, finished sync.WaitGroup
	start := make(chan struct{})
	var stop atomic.Bool
	var trips int64
	var failed int32
	var lat []float64
	for i := 0; i < conns; i++ {
		ready.Add(1)
		finished.Add(1)
		go func(record bool) {
			defer finished.Done()
			c, err := net.Dial("tcp", ln.Addr().String())
			ready.Done()
			if err != nil {
				atomic.AddInt32(&failed, 1)
				return
			}
			msg := make([]byte, size)
			buf := make([]byte, size)
			if record {
				lat = make([]float64, 0, 1<<20)
			}
			<-start
			var n int64
			for !stop.Load() {
				t := time.Now()
				if _, err := c.Write(msg); err != nil {
					break
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					break
				}
				if record {
					lat = append(lat, float64(time.Since(t).Nanoseconds())/1e3)
				}
				n++
			}
			atomic.AddInt64(&trips, n)
			c.Close()
		}(conns == 1)
	}
	ready.Wait()
	if f := atomic.LoadInt32(&failed); f > 0 {
		fmt.Fprintf(os.Stderr, "echo: %d of %d connections failed\n", f, conns)
		os.Exit(1)
	}
	t0 := time.Now()
	close(start)
	time.Sleep(dur)
	stop.Store(true)
	finished.Wait()
	secs := time.Since(t0).Seconds()
	ln.Close()
	server.Wait()
	r := echoResult{trips: trips, tripsPerSec: float64(trips) / secs}
	if len(lat) > 0 {
		sort.Float64s(lat)
		r.p50us = lat[len(lat)/2]
		r.p99us = lat[len(lat)*99/100]
	}
	return r
}

func printEcho(conns, size int, ms int64) {
	r := echo(conns, size, time.Duration(ms)*time.Millisecond)
	fmt.Printf("EchoRoundTripsPerSecond %.0f\n", r.tripsPerSec)
	fmt.Printf("EchoBytesPerSecond %.0f\n", r.tripsPerSec*float64(size))
	fmt.Printf("EchoRoundTrips %d\n", r.trips)
	if conns == 1 {
		fmt.Printf("EchoLatencyP50Us %.2f\n", r.p50us)
		fmt.Printf("EchoLatencyP99Us %.2f\n", r.p99us)
	}
}

func pipePingPongNs(rounds int) float64 {
	ar, aw, _ := os.Pipe()
	br, bw, _ := os.Pipe()
	done := make(chan struct{})
	go func() {
		c := make([]byte, 1)
		for i := 0; i < rounds; i++ {
			ar.Read(c)
			bw.Write(c)
		}
		close(done)
	}()
	c := []byte{'x'}
	t0 := time.Now()
	for i := 0; i < rounds; i++ {
		aw.Write(c)
		br.Read(c)
	}
	ns := float64(time.Since(t0).Nanoseconds()) / float64(rounds)
	<-done
	return ns
}

func main() {
	raiseNofileLimit()
	args := os.Args[1:]
	switch {
	case len(args) == 4 && args[0] == "echo":
		conns, _ := strconv.Atoi(args[1])
		size, _ := strconv.Atoi(args[2])
		ms, _ := strconv.ParseInt(args[3], 10, 64)
		printEcho(conns, size, ms)
	case len(args) == 1 && args[0] == "pipe":
		fmt.Printf("PipePingPongNs %.1f\n", pipePingPongNs(200000))
	case len(args) == 0:
		printEcho(50, 64, 3000)
		fmt.Printf("PipePingPongNs %.1f\n", pipePingPongNs(200000))
	default:
		fmt.Fprintln(os.Stderr, "usage: net [echo CONNS SIZE MS | pipe]")
		os.Exit(2)
	}
}
