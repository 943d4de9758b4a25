//go:build unix

package main

import "syscall"

// syncDisks writes every dirty page to disk (sync(2)), so that a benchmark
// does not time the kernel's write-back of its own set-up.
func syncDisks() { syscall.Sync() }
