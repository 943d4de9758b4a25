//go:build !unix

package main

// syncDisks has nothing to do where there is no sync(2).
func syncDisks() {}
