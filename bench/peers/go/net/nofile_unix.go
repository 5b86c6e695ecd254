// SPDX-License-Identifier: MIT

//go:build unix

package main

import "syscall"

// raiseNofileLimit raises the soft RLIMIT_NOFILE to the hard one: 1,000
// connections take 2,000 descriptors.
func raiseNofileLimit() {
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil && rl.Cur < rl.Max {
		rl.Cur = rl.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	}
}
