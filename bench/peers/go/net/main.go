// SPDX-License-Identifier: MIT
// The Go side of bench/net_bench.cpp: the same loopback TCP echo and pipe
// ping-pong with Go's net and os packages.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func echoRoundTripsPerSecond(conns int, dur time.Duration) float64 {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				buf := make([]byte, 64)
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
	var trips int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				return
			}
			msg := make([]byte, 64)
			buf := make([]byte, 64)
			var n int64
			for !stop.Load() {
				if _, err := c.Write(msg); err != nil {
					break
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					break
				}
				n++
			}
			atomic.AddInt64(&trips, n)
			c.Close()
		}()
	}
	t0 := time.Now()
	time.Sleep(dur)
	stop.Store(true)
	wg.Wait()
	secs := time.Since(t0).Seconds()
	ln.Close()
	return float64(trips) / secs
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

// With an argument (echo or pipe) runs only that one, for profiling.
func main() {
	only := ""
	if len(os.Args) > 1 {
		only = os.Args[1]
	}
	if only == "" || only == "echo" {
		fmt.Printf("EchoRoundTripsPerSecond %.0f\n", echoRoundTripsPerSecond(50, 3*time.Second))
	}
	if only == "" || only == "pipe" {
		fmt.Printf("PipePingPongNs %.1f\n", pipePingPongNs(200000))
	}
}
